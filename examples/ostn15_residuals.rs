//! Residuals of the National Grid conversion on Ordnance Survey's published OSTN15 test
//! points (`tests/data/ostn15-test-points.csv`): for each point, the distance between the
//! latitude/longitude schoolrun computes from OS's easting and northing and the ETRS89
//! position OS gives.
//!
//! usage: cargo run --release --example ostn15_residuals

fn main() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ostn15-test-points.csv");
    let text = std::fs::read_to_string(path).expect("the test points are shipped");
    let mut res = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let v: Vec<f64> = c[1..5]
            .iter()
            .map(|x| x.parse().unwrap_or(f64::NAN))
            .collect();
        match schoolrun::scenario::grid::to_lat_lon(v[2], v[3]) {
            Some((lat, lon)) => {
                let mm = 1000.0 * schoolrun::network::haversine_m([lat, lon], [v[0], v[1]]);
                println!("{} {:.2} mm", c[0], mm);
                res.push(mm);
            }
            None => println!("{} outside the grid", c[0]),
        }
    }
    res.sort_by(f64::total_cmp);
    let mean = res.iter().sum::<f64>() / res.len().max(1) as f64;
    println!(
        "{} points: median {:.2} mm, mean {:.2} mm, largest {:.2} mm",
        res.len(),
        res[res.len() / 2],
        mean,
        res[res.len() - 1]
    );
}
