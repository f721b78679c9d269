//! Which OpenStreetMap ways a car may use, in which direction, and how fast.
//!
//! This is the only place that interprets OSM tags for routing. The speeds are *effective*
//! average speeds for a taxi or minibus on English roads, not legal limits: junctions,
//! bends and traffic mean a vehicle rarely holds the limit.

/// How a way may be used by the routing graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayProfile {
    /// Effective speed in km/h.
    pub speed_kmh: f64,
    /// Traversable in the direction the way's nodes are listed.
    pub forward: bool,
    /// Traversable against the way's node order.
    pub backward: bool,
    /// A pupil's home or a school may be snapped onto this way (not a motorway, trunk link
    /// or tunnel: a vehicle cannot stop there to pick a child up).
    pub snappable: bool,
    /// A street where people live (`residential`, `living_street`): where the scenario
    /// generator places pupils' homes.
    pub residential: bool,
}

/// Default effective speed and the cap applied to a tagged `maxspeed`, in km/h, per
/// `highway=*` class. `None` means cars do not use the class.
///
/// Defaults reflect typical English conditions (e.g. a 60 mph rural A-road averages about
/// 65 km/h, a 30 mph residential street about 25 km/h once junctions are counted). Tracks
/// are excluded: they are farm or forestry access, not roads a contracted taxi may use.
fn class_speeds(highway: &str) -> Option<(f64, f64)> {
    Some(match highway {
        "motorway" => (100.0, 112.0),
        "motorway_link" => (60.0, 80.0),
        "trunk" => (80.0, 100.0),
        "trunk_link" => (50.0, 70.0),
        "primary" => (65.0, 90.0),
        "primary_link" => (45.0, 60.0),
        "secondary" => (55.0, 80.0),
        "secondary_link" => (40.0, 55.0),
        "tertiary" => (45.0, 70.0),
        "tertiary_link" => (35.0, 50.0),
        "unclassified" => (40.0, 60.0),
        "road" => (30.0, 50.0),
        "residential" => (25.0, 40.0),
        "living_street" => (10.0, 20.0),
        "service" => (15.0, 30.0),
        _ => return None,
    })
}

/// Share of a posted limit that a vehicle averages (OSRM's car profile uses the same idea).
const LIMIT_TO_EFFECTIVE: f64 = 0.8;
const MPH: f64 = 1.609_344;

/// Parses a `maxspeed` value into km/h. Understands plain km/h numbers, `mph` suffixes,
/// `national` (60 mph, or 70 mph on motorways), the UK implicit limits `gb:nsl_single`
/// (60 mph), `gb:nsl_dual` (70 mph), `gb:motorway` (70 mph) and `gb:zone20`/`gb:zone30`,
/// and lists such as `30;40` (the lowest is taken). Returns `None` for values that carry
/// no usable limit (`signals`, `variable`, `none`, garbage).
pub fn parse_maxspeed(value: &str, highway: &str) -> Option<f64> {
    let mut best: Option<f64> = None;
    for part in value.split(';') {
        if let Some(v) = parse_one_maxspeed(part.trim(), highway) {
            best = Some(best.map_or(v, |b: f64| b.min(v)));
        }
    }
    best
}

fn parse_one_maxspeed(value: &str, highway: &str) -> Option<f64> {
    let v = value.to_ascii_lowercase();
    let v = v.trim();
    let implicit = |name: &str| -> Option<f64> {
        match name {
            "nsl_single" => Some(60.0 * MPH),
            "nsl_dual" | "motorway" => Some(70.0 * MPH),
            "nsl_restricted" | "zone30" | "urban" => Some(30.0 * MPH),
            "zone20" => Some(20.0 * MPH),
            "national" | "rural" => Some(if highway.starts_with("motorway") {
                70.0 * MPH
            } else {
                60.0 * MPH
            }),
            _ => None,
        }
    };
    if let Some((country, name)) = v.split_once(':') {
        return if matches!(country, "gb" | "uk") {
            implicit(name)
        } else {
            None
        };
    }
    if v == "national" {
        return implicit("national");
    }
    let (number, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), MPH)
    } else if let Some(n) = v.strip_suffix("km/h") {
        (n.trim(), 1.0)
    } else if let Some(n) = v.strip_suffix("kmh") {
        (n.trim(), 1.0)
    } else {
        (v, 1.0)
    };
    let n: f64 = number.parse().ok()?;
    (n.is_finite() && n > 0.0 && n < 200.0).then_some(n * factor)
}

/// Access values that forbid a private car or taxi.
///
/// `private` is excluded outright rather than allowed at the ends of a trip: a contracted
/// vehicle picks a pupil up at the kerb of the public road, and a private estate road that
/// happens to be nearest would otherwise let routes cut through it.
fn access_denies(value: &str) -> bool {
    matches!(
        value,
        "no" | "private"
            | "agricultural"
            | "forestry"
            | "emergency"
            | "military"
            | "delivery"
            | "bus"
            | "psv"
            | "discouraged"
    )
}

fn access_allows(value: &str) -> bool {
    matches!(
        value,
        "yes" | "permissive" | "designated" | "destination" | "customers" | "permit"
    )
}

/// Decides whether and how a way with these tags is part of the car network.
/// `tag` looks a key up among the way's tags.
pub fn way_profile<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<WayProfile> {
    let highway = tag("highway")?;
    let (default_speed, cap) = class_speeds(highway)?;
    if tag("area") == Some("yes") {
        return None;
    }
    // The most specific access tag present decides (motorcar > motor_vehicle > vehicle > access).
    for key in ["motorcar", "motor_vehicle", "vehicle", "access"] {
        if let Some(v) = tag(key) {
            if access_denies(v) {
                return None;
            }
            if access_allows(v) {
                break;
            }
        }
    }
    if matches!(tag("service"), Some("emergency_access")) {
        return None;
    }

    let speed = tag("maxspeed")
        .and_then(|v| parse_maxspeed(v, highway))
        .or_else(|| tag("maxspeed:type").and_then(|v| parse_maxspeed(v, highway)))
        .or_else(|| tag("source:maxspeed").and_then(|v| parse_maxspeed(v, highway)))
        .map(|limit| (limit * LIMIT_TO_EFFECTIVE).min(cap))
        .unwrap_or(default_speed);

    let implied_oneway = highway == "motorway"
        || highway == "motorway_link"
        || matches!(tag("junction"), Some("roundabout" | "circular"));
    let (forward, backward) = match tag("oneway") {
        Some("yes" | "1" | "true") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (true, true),
        // Reversible and alternating lanes change direction by time of day: unusable for
        // a plan that must hold every school day.
        Some("reversible" | "alternating") => return None,
        _ => (true, !implied_oneway),
    };

    let tunnel = matches!(
        tag("tunnel"),
        Some("yes" | "building_passage" | "culvert" | "covered")
    );
    let snappable = !matches!(highway, "motorway" | "motorway_link" | "trunk_link") && !tunnel;
    Some(WayProfile {
        speed_kmh: speed,
        forward,
        backward,
        snappable,
        residential: matches!(highway, "residential" | "living_street"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tags: &[(&'static str, &'static str)]) -> Option<WayProfile> {
        way_profile(|k| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
    }

    #[test]
    fn maxspeed_units_and_uk_implicit_limits() {
        assert_eq!(parse_maxspeed("50", "primary"), Some(50.0));
        assert!((parse_maxspeed("30 mph", "residential").unwrap() - 48.28).abs() < 0.01);
        assert!((parse_maxspeed("30mph", "residential").unwrap() - 48.28).abs() < 0.01);
        assert!((parse_maxspeed("national", "primary").unwrap() - 96.56).abs() < 0.01);
        assert!((parse_maxspeed("national", "motorway").unwrap() - 112.65).abs() < 0.01);
        assert!((parse_maxspeed("GB:nsl_single", "primary").unwrap() - 96.56).abs() < 0.01);
        assert!((parse_maxspeed("gb:nsl_dual", "trunk").unwrap() - 112.65).abs() < 0.01);
        assert!((parse_maxspeed("gb:motorway", "motorway").unwrap() - 112.65).abs() < 0.01);
        assert!((parse_maxspeed("30 mph;40 mph", "primary").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed("signals", "primary"), None);
        assert_eq!(parse_maxspeed("fast", "primary"), None);
        assert_eq!(parse_maxspeed("de:urban", "primary"), None);
    }

    #[test]
    fn oneway_and_implied_oneway() {
        let p = profile(&[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert!(p.forward && !p.backward);
        let p = profile(&[("highway", "residential"), ("oneway", "-1")]).unwrap();
        assert!(!p.forward && p.backward);
        let p = profile(&[("highway", "primary"), ("junction", "roundabout")]).unwrap();
        assert!(p.forward && !p.backward);
        let p = profile(&[("highway", "motorway")]).unwrap();
        assert!(p.forward && !p.backward && !p.snappable);
        let p = profile(&[("highway", "motorway"), ("oneway", "no")]).unwrap();
        assert!(p.forward && p.backward);
        assert!(profile(&[("highway", "primary"), ("oneway", "reversible")]).is_none());
    }

    #[test]
    fn access_rules() {
        assert!(profile(&[("highway", "service"), ("access", "private")]).is_none());
        assert!(profile(&[("highway", "residential"), ("motor_vehicle", "no")]).is_none());
        assert!(profile(&[("highway", "residential"), ("motorcar", "no")]).is_none());
        assert!(
            profile(&[
                ("highway", "residential"),
                ("access", "no"),
                ("motor_vehicle", "yes")
            ])
            .is_some()
        );
        assert!(profile(&[("highway", "footway")]).is_none());
        assert!(profile(&[("highway", "track")]).is_none());
        assert!(profile(&[("highway", "residential"), ("access", "destination")]).is_some());
    }

    #[test]
    fn speeds_use_limits_capped_by_class() {
        let p = profile(&[("highway", "primary"), ("maxspeed", "30 mph")]).unwrap();
        assert!((p.speed_kmh - 48.28 * 0.8).abs() < 0.01);
        let p = profile(&[("highway", "residential"), ("maxspeed", "national")]).unwrap();
        assert_eq!(p.speed_kmh, 40.0);
        let p = profile(&[("highway", "tertiary")]).unwrap();
        assert_eq!(p.speed_kmh, 45.0);
    }

    #[test]
    fn tunnels_and_trunk_links_are_not_snappable() {
        assert!(!profile(&[("highway", "trunk_link")]).unwrap().snappable);
        assert!(
            !profile(&[("highway", "primary"), ("tunnel", "yes")])
                .unwrap()
                .snappable
        );
        assert!(profile(&[("highway", "trunk")]).unwrap().snappable);
    }
}
