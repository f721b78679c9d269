//! The column schema of every scenario CSV file, used both to read it and to write it, so
//! the two can never disagree.

/// The columns of one CSV file.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// File name inside the scenario folder.
    pub file: &'static str,
    /// Columns that must be present.
    pub required: &'static [&'static str],
    /// Columns that may be present.
    pub optional: &'static [&'static str],
    /// Whether rows are places: `lat, lon` (WGS84) may then be given as `easting,
    /// northing` (British National Grid) instead, with optional `uprn` and `postcode`.
    pub located: bool,
}

/// Columns that may stand in for `lat, lon` in a located file.
pub const GRID: [&str; 2] = ["easting", "northing"];
/// Address references a located file may carry through to the outputs.
pub const ADDRESS: [&str; 2] = ["uprn", "postcode"];

impl Schema {
    /// Every column in the order files are written: required, then optional.
    pub fn columns(&self) -> Vec<&'static str> {
        self.required.iter().chain(self.optional).copied().collect()
    }
}

/// `schools.csv`.
pub const SCHOOLS: Schema = Schema {
    file: "schools.csv",
    required: &[
        "school_id",
        "name",
        "lat",
        "lon",
        "am_arrive_earliest",
        "am_arrive_latest",
        "pm_depart",
    ],
    optional: &[],
    located: true,
};

/// `pupils.csv`.
pub const PUPILS: Schema = Schema {
    file: "pupils.csv",
    required: &["pupil_id", "school_id", "lat", "lon", "phase"],
    optional: &[
        "wheelchair",
        "needs_assistant",
        "solo",
        "max_ride_min",
        "incompatible_with",
        "mode",
        "ptb_eligible",
        "itt_eligible",
        "values_mode",
    ],
    located: true,
};

/// `vehicles.csv`.
pub const VEHICLES: Schema = Schema {
    file: "vehicles.csv",
    required: &[
        "vehicle_type",
        "seats",
        "wheelchair_spaces",
        "day_rate",
        "per_km",
        "per_min",
    ],
    optional: &["available"],
    located: false,
};

/// `operators.csv` (plus one optional fleet-limit column per vehicle type).
pub const OPERATORS: Schema = Schema {
    file: "operators.csv",
    required: &["operator_id", "name"],
    optional: &["max_routes"],
    located: false,
};

/// `rates.csv`.
pub const RATES: Schema = Schema {
    file: "rates.csv",
    required: &[
        "operator_id",
        "vehicle_type",
        "day_rate",
        "per_km",
        "per_min",
    ],
    optional: &[],
    located: false,
};

/// `bids.csv`.
pub const BIDS: Schema = Schema {
    file: "bids.csv",
    required: &["operator_id", "route_id", "price_per_day"],
    optional: &[],
    located: false,
};

/// `bundles.csv`.
pub const BUNDLES: Schema = Schema {
    file: "bundles.csv",
    required: &["bundle_id", "operator_id", "discount_pct"],
    optional: &["route_ids", "school_id"],
    located: false,
};

/// `current_routes.csv`.
pub const CURRENT_ROUTES: Schema = Schema {
    file: "current_routes.csv",
    required: &[
        "route_id",
        "operator_id",
        "vehicle_type",
        "price_per_day",
        "assistant",
        "pupil_ids",
    ],
    optional: &[],
    located: false,
};

/// A points file for `schoolrun matrix`.
pub const POINTS: Schema = Schema {
    file: "points.csv",
    required: &["id", "lat", "lon"],
    optional: &[],
    located: false,
};
