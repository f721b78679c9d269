//! The outputs of a budget run: `budget.csv` (one row per variant, medians and P10–P90
//! bands), `forecast.csv` (each variant year by year), `budget.json` (both), and
//! `budget.html`, self-contained (inline SVG, no scripts, no network): the comparison
//! with error bars, the forecast's fan chart and the cost of each swept value.

use crate::budget::{Band, ForecastRow, RunSpec, VariantRow};
use crate::error::{Error, Result};
use crate::files::{Csv, OutputSet};
use crate::units::Pence;
use std::fmt::Write as _;

fn pounds(pence: f64) -> String {
    Pence(pence.round() as i64).decimal()
}

fn money(pence: f64) -> String {
    Pence(pence.round() as i64).to_string()
}

fn band_cells(b: &Band) -> [String; 3] {
    [pounds(b.median), pounds(b.p10), pounds(b.p90)]
}

/// `budget.csv`.
pub fn budget_csv(rows: &[VariantRow]) -> Vec<u8> {
    let mut w = Csv::new();
    let mut header: Vec<String> = [
        "variant",
        "sweep_key",
        "sweep_value",
        "samples",
        "failed_samples",
        "pupils_median",
        "unrouted_median",
        "vehicles_median",
        "vehicles_p10",
        "vehicles_p90",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for m in [
        "plan_reference_per_year",
        "plan_tender_per_year",
        "ptb_itt_saving_year1",
        "budget_year1",
        "budget_year1_vs_first",
    ] {
        for q in ["median", "p10", "p90"] {
            header.push(format!("{m}_{q}"));
        }
    }
    header.push("today_contract_per_year".into());
    header.push("failure".into());
    let _ = w.write_record(&header);
    for r in rows {
        let mut rec = vec![
            r.variant.clone(),
            r.sweep.as_ref().map_or(String::new(), |s| s.0.clone()),
            r.sweep.as_ref().map_or(String::new(), |s| s.1.to_string()),
            r.samples.to_string(),
            r.failed.to_string(),
            format!("{}", r.pupils.median),
            format!("{}", r.unrouted.median),
            format!("{}", r.vehicles.median),
            format!("{:.1}", r.vehicles.p10),
            format!("{:.1}", r.vehicles.p90),
        ];
        for b in [
            &r.plan_reference,
            &r.plan_tender,
            &r.ptb_itt_year1,
            &r.after,
            &r.vs_first,
        ] {
            rec.extend(band_cells(b));
        }
        rec.push(r.today_contract.map_or(String::new(), pounds));
        rec.push(r.failure.clone().unwrap_or_default());
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

/// `forecast.csv`.
pub fn forecast_csv(rows: &[ForecastRow]) -> Vec<u8> {
    let mut w = Csv::new();
    let mut header: Vec<String> = vec!["variant".into(), "year".into()];
    for m in ["transport", "ptb_itt_saving", "budget"] {
        for q in ["median", "p10", "p90"] {
            header.push(format!("{m}_{q}"));
        }
    }
    header.push("ptb_moved".into());
    header.push("itt_moved".into());
    let _ = w.write_record(&header);
    for r in rows {
        let mut rec = vec![r.variant.clone(), r.year.to_string()];
        for b in [&r.transport, &r.ptb_itt, &r.net] {
            rec.extend(band_cells(b));
        }
        rec.push(format!("{:.2}", r.ptb_moved));
        rec.push(format!("{:.2}", r.itt_moved));
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22",
];

/// Horizontal bars of each variant's year-1 budget: the median, and a whisker from P10
/// to P90.
fn comparison_svg(rows: &[VariantRow]) -> String {
    let shown: Vec<&VariantRow> = rows.iter().filter(|r| r.samples > 0).collect();
    if shown.is_empty() {
        return String::new();
    }
    let hi = shown
        .iter()
        .map(|r| r.after.p90.max(r.after.max))
        .fold(1.0, f64::max);
    let (left, width, row_h) = (260.0, 440.0, 22.0);
    let height = row_h * shown.len() as f64 + 40.0;
    let x = |v: f64| left + width * (v / hi).max(0.0);
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {height}" role="img" aria-label="year-1 budget by variant">"#,
        w = left + width + 90.0
    );
    for (k, r) in shown.iter().enumerate() {
        let y = 10.0 + row_h * k as f64;
        let _ = write!(
            s,
            r##"<text x="{tx}" y="{ty}" font-size="11" text-anchor="end">{name}</text><rect x="{left}" y="{y}" width="{bw:.1}" height="{bh}" fill="#9ecae1"/><line x1="{a:.1}" x2="{b:.1}" y1="{my}" y2="{my}" stroke="#08306b" stroke-width="1.5"/><line x1="{a:.1}" x2="{a:.1}" y1="{y1}" y2="{y2}" stroke="#08306b"/><line x1="{b:.1}" x2="{b:.1}" y1="{y1}" y2="{y2}" stroke="#08306b"/><text x="{vx:.1}" y="{ty}" font-size="10">{v}</text>"##,
            tx = left - 6.0,
            ty = y + 12.0,
            name = super::html::esc(&r.variant),
            bw = x(r.after.median) - left,
            bh = row_h - 6.0,
            a = x(r.after.p10),
            b = x(r.after.p90),
            my = y + (row_h - 6.0) / 2.0,
            y1 = y + 3.0,
            y2 = y + row_h - 9.0,
            vx = x(r.after.p90) + 4.0,
            v = money(r.after.median),
        );
    }
    let _ = write!(
        s,
        r#"<text x="{left}" y="{yb}" font-size="10">£0</text><text x="{xe}" y="{yb}" font-size="10" text-anchor="end">{top}</text></svg>"#,
        yb = height - 8.0,
        xe = left + width,
        top = money(hi)
    );
    s
}

/// The forecast's fan chart: each variant's median budget year by year, its P10–P90
/// band shaded.
fn fan_svg(rows: &[ForecastRow], variants: &[String]) -> String {
    let years = rows.iter().map(|r| r.year).max().unwrap_or(0);
    if rows.is_empty() || years == 0 {
        return String::new();
    }
    let lo = rows
        .iter()
        .map(|r| r.net.p10.min(r.net.min))
        .fold(f64::MAX, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.net.p90.max(r.net.max))
        .fold(f64::MIN, f64::max);
    let (lo, hi) = (lo * 0.98, hi * 1.02);
    let (left, top, w, h) = (80.0, 10.0, 520.0, 260.0);
    let x = |y: u32| {
        left + if years > 1 {
            w * (y - 1) as f64 / (years - 1) as f64
        } else {
            w / 2.0
        }
    };
    let yv = |v: f64| top + h * (1.0 - (v - lo) / (hi - lo).max(1.0));
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {vw} {vh}" role="img" aria-label="forecast fan chart">"#,
        vw = left + w + 20.0,
        vh = top + h + 40.0
    );
    for y in 1..=years {
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{b}" stroke="#eee"/><text x="{x:.1}" y="{ty}" font-size="11" text-anchor="middle">year {y}</text>"##,
            x = x(y),
            b = top + h,
            ty = top + h + 16.0
        );
    }
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ = write!(
            s,
            r#"<text x="{tx}" y="{ty:.1}" font-size="10" text-anchor="end">{m}</text>"#,
            tx = left - 6.0,
            ty = yv(v) + 3.0,
            m = money(v)
        );
    }
    for (k, name) in variants.iter().enumerate() {
        let mine: Vec<&ForecastRow> = rows.iter().filter(|r| &r.variant == name).collect();
        if mine.is_empty() {
            continue;
        }
        let c = COLOURS[k % COLOURS.len()];
        let upper: Vec<String> = mine
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(r.year), yv(r.net.p90)))
            .collect();
        let lower: Vec<String> = mine
            .iter()
            .rev()
            .map(|r| format!("{:.1},{:.1}", x(r.year), yv(r.net.p10)))
            .collect();
        let median: Vec<String> = mine
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(r.year), yv(r.net.median)))
            .collect();
        let _ = write!(
            s,
            r#"<polygon points="{} {}" fill="{c}" fill-opacity="0.15" stroke="none"/><polyline points="{}" fill="none" stroke="{c}" stroke-width="2"><title>{}</title></polyline>"#,
            upper.join(" "),
            lower.join(" "),
            median.join(" "),
            super::html::esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// The cost of each swept value: the year-1 budget's median against the value, with
/// P10–P90 whiskers, one chart per swept key.
fn sweep_svgs(rows: &[VariantRow]) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for r in rows {
        if let Some((k, _)) = &r.sweep
            && !keys.contains(&k.as_str())
        {
            keys.push(k);
        }
    }
    let mut out = String::new();
    for key in keys {
        let pts: Vec<(f64, &VariantRow)> = rows
            .iter()
            .filter_map(|r| match &r.sweep {
                Some((k, v)) if k == key && r.samples > 0 => Some((*v, r)),
                _ => None,
            })
            .collect();
        if pts.is_empty() {
            continue;
        }
        let (xmin, xmax) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.0), a.1.max(p.0)));
        let lo = pts
            .iter()
            .map(|p| p.1.after.p10.min(p.1.after.min))
            .fold(f64::MAX, f64::min)
            * 0.98;
        let hi = pts
            .iter()
            .map(|p| p.1.after.p90.max(p.1.after.max))
            .fold(f64::MIN, f64::max)
            * 1.02;
        let (left, top, w, h) = (80.0, 10.0, 420.0, 200.0);
        let x = |v: f64| {
            left + if xmax > xmin {
                w * (v - xmin) / (xmax - xmin)
            } else {
                w / 2.0
            }
        };
        let yv = |v: f64| top + h * (1.0 - (v - lo) / (hi - lo).max(1.0));
        let _ = write!(
            out,
            r#"<h3>{k}</h3><svg class="chart" viewBox="0 0 {vw} {vh}" role="img" aria-label="cost of each value of {k}">"#,
            k = super::html::esc(key),
            vw = left + w + 40.0,
            vh = top + h + 40.0
        );
        let line: Vec<String> = pts
            .iter()
            .map(|(v, r)| format!("{:.1},{:.1}", x(*v), yv(r.after.median)))
            .collect();
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>"##,
            line.join(" ")
        );
        for (v, r) in &pts {
            let _ = write!(
                out,
                r##"<line x1="{x:.1}" x2="{x:.1}" y1="{a:.1}" y2="{b:.1}" stroke="#08306b"/><circle cx="{x:.1}" cy="{m:.1}" r="3.5" fill="#1f77b4"/><text x="{x:.1}" y="{ty}" font-size="11" text-anchor="middle">{v}</text><text x="{tx:.1}" y="{m:.1}" font-size="10">{money}</text>"##,
                x = x(*v),
                a = yv(r.after.p10),
                b = yv(r.after.p90),
                m = yv(r.after.median),
                ty = top + h + 16.0,
                tx = x(*v) + 6.0,
                money = money(r.after.median)
            );
        }
        out.push_str("</svg>");
    }
    out
}

/// `budget.html`.
pub fn budget_html(spec: &RunSpec, rows: &[VariantRow], forecast: &[ForecastRow]) -> String {
    let esc = super::html::esc;
    let mut h = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>schoolrun budget — {name}</title><style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}}h2{{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}}h3{{font-size:14px;margin:14px 0 4px}}
table{{border-collapse:collapse;margin:6px 0}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:left}}td.n,th.n{{text-align:right}}
.chart{{width:760px;max-width:100%}}.note{{color:#555;font-size:13px}}
</style></head><body><h1>Budget variants: {name}</h1>
<p class="note">{samples} demand sample(s) per variant, each planned as one school day (morning and afternoon), retendered and given its PTB/ITT savings; figures are a year of school days. Each cell is the median over the samples, with P10–P90 in brackets. The <em>budget</em> is the tender-price cost of the plan less the expected first-year PTB/ITT saving at the same price basis. "Against {first}" is the difference from the first variant in the same sample (common random numbers: same search seed and demand draw). Pupils by id only; nothing in this page loads anything from the network.</p>"#,
        name = esc(&spec.scenario),
        samples = spec.samples,
        first = esc(spec.variants.first().map_or("", |v| v.name.as_str())),
    );
    let cell = |b: &Band| {
        format!(
            "<td class=n>{}<br><small>({} – {})</small></td>",
            money(b.median),
            money(b.p10),
            money(b.p90)
        )
    };
    h.push_str("<h2>Variants</h2><table><tr><th>variant</th><th class=n>pupils</th><th class=n>vehicles</th><th class=n>plan, reference prices</th><th class=n>plan, tender prices</th><th class=n>PTB/ITT saving, year 1</th><th class=n>budget, year 1</th><th class=n>against the first</th></tr>");
    for r in rows {
        if r.samples == 0 {
            let _ = write!(
                h,
                "<tr><td>{}</td><td colspan=7>could not be planned: {}</td></tr>",
                esc(&r.variant),
                esc(r.failure.as_deref().unwrap_or(""))
            );
            continue;
        }
        let _ = write!(
            h,
            "<tr><td>{}{}</td><td class=n>{}</td><td class=n>{} <small>({:.0}–{:.0})</small></td>{}{}{}{}{}</tr>",
            esc(&r.variant),
            if r.failed > 0 {
                format!(" <small>({} sample(s) failed)</small>", r.failed)
            } else {
                String::new()
            },
            r.pupils.median,
            r.vehicles.median,
            r.vehicles.p10,
            r.vehicles.p90,
            cell(&r.plan_reference),
            cell(&r.plan_tender),
            cell(&r.ptb_itt_year1),
            cell(&r.after),
            cell(&r.vs_first),
        );
    }
    h.push_str("</table><h2>Year-1 budget by variant</h2><p class=note>Bar: median; whisker: P10 to P90 over the samples.</p>");
    h.push_str(&comparison_svg(rows));
    if !forecast.is_empty() {
        let years = forecast.iter().map(|r| r.year).max().unwrap_or(0);
        let _ = write!(
            h,
            "<h2>Forecast over {years} year(s)</h2><p class=note>Year 1 is planned; later years grow the transport cost with the variant's demand change and all-prices uplift, compounded, and take the PTB/ITT programme's saving from the savings projection (the same offers each year, each case saving for the policy's years of saving). Line: median; band: P10–P90.</p>"
        );
        let names: Vec<String> = spec.variants.iter().map(|v| v.name.clone()).collect();
        h.push_str(&fan_svg(forecast, &names));
        h.push_str("<p>");
        for (k, n) in names.iter().enumerate() {
            let _ = write!(
                h,
                r#"<span style="display:inline-block;width:12px;height:12px;background:{};margin:0 4px 0 10px"></span>{}"#,
                COLOURS[k % COLOURS.len()],
                esc(n)
            );
        }
        h.push_str("</p><table><tr><th>variant</th><th class=n>year</th><th class=n>transport</th><th class=n>PTB/ITT saving</th><th class=n>budget</th></tr>");
        for r in forecast {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=n>{}</td>{}{}{}</tr>",
                esc(&r.variant),
                r.year,
                cell(&r.transport),
                cell(&r.ptb_itt),
                cell(&r.net)
            );
        }
        h.push_str("</table>");
    }
    let sweeps = sweep_svgs(rows);
    if !sweeps.is_empty() {
        h.push_str("<h2>Cost of each swept value</h2><p class=note>Year-1 budget (median, P10–P90 whiskers) for each value of the swept key, all else as in the scenario.</p>");
        h.push_str(&sweeps);
    }
    h.push_str("</body></html>\n");
    h
}

/// Adds `budget.csv`, `forecast.csv`, `budget.json` and `budget.html` to `set`.
pub fn add_files(
    set: &mut OutputSet,
    spec: &RunSpec,
    rows: &[VariantRow],
    forecast: &[ForecastRow],
) -> Result<()> {
    set.add("budget.csv", budget_csv(rows));
    set.add("forecast.csv", forecast_csv(forecast));
    let json = serde_json::json!({
        "scenario": spec.scenario,
        "variants_file": spec.variants_file,
        "samples": spec.samples,
        "years": spec.years,
        "iterations": spec.iterations,
        "repair_iterations": spec.repair_iterations,
        "seed": spec.seed,
        "money": "pence",
        "variants": rows,
        "forecast": forecast,
    });
    let text = serde_json::to_string_pretty(&json).map_err(|e| Error::model(e.to_string()))?;
    set.add("budget.json", text);
    set.add("budget.html", budget_html(spec, rows, forecast));
    Ok(())
}
