//! Process limits: where they lie, which points signal (outside, or eight in a row on one side),
//! the decimals read as typed, each phase with its own limits; and sparklines.

use super::*;

/// By hand: baseline 10, 12, 11, 13 → centre 11.5, moving ranges 2, 1, 2 → mean 5/3,
/// limits 11.5 ± 2.66 × 5/3 = 7.0667 … 15.9333. Four values are a first guess: no signal.
#[test]
fn process_limits_and_a_point_outside() {
    let base = pts(&[10.0, 12.0, 11.0, 13.0]);
    let live = vec![(50.0, 12.0), (51.0, 17.0), (52.0, 6.0)];
    let p = process(&base, &live).unwrap();
    close(p.center, 11.5, 1e-12);
    close(p.lower_limit, 11.5 - 2.66 * 5.0 / 3.0, 1e-12);
    close(p.upper_limit, 11.5 + 2.66 * 5.0 / 3.0, 1e-12);
    assert!(p.provisional);
    assert_eq!(p.baseline_n, 4);
    assert!(p.signals.is_empty(), "{:?}", p.signals);
    assert!(process(&base[..1], &live).is_none());
    // The same pattern over `SIGNALS_FROM` values (10, 12, 11, 13, 10, 12, …): centre 11.5,
    // moving ranges 2, 1, 2, 3, 2, 1, 2, 3, … The points beyond the limits are signals.
    let cycle = [10.0, 12.0, 11.0, 13.0];
    let long: Vec<f64> = (0..SIGNALS_FROM).map(|i| cycle[i % 4]).collect();
    let p = process(&pts(&long), &live).unwrap();
    assert!(!p.provisional);
    assert_eq!(p.signals.len(), 2, "{:?}", p.signals);
    // A value exactly on a limit is inside: alternating 10 and 12 give limits 11 ± 5.32.
    let flip: Vec<f64> = (0..SIGNALS_FROM).map(|i| [10.0, 12.0][i % 2]).collect();
    let p = process(&pts(&flip), &[(900.0, 16.32), (901.0, 5.68)]).unwrap();
    close(p.upper_limit, 16.32, 1e-12);
    assert!(p.signals.is_empty(), "{:?}", p.signals);
    let p = process(&pts(&flip), &[(900.0, 16.33), (901.0, 5.67)]).unwrap();
    assert_eq!(p.signals.len(), 2, "{:?}", p.signals);
}

/// Runs are judged from `RUNS_FROM` baseline values: the centre of fewer is too far off.
#[test]
fn eight_in_a_row_on_one_side_is_a_signal_and_seven_is_not() {
    let cycle = [10.0, 12.0, 11.0];
    let base = |n: usize| pts(&(0..n).map(|i| cycle[i % 3]).collect::<Vec<_>>());
    let live: Vec<Point> = (0..8).map(|i| (5000.0 + i as f64, 11.5)).collect();
    let p = process(&base(RUNS_FROM), &live).unwrap();
    assert_eq!(p.signals.len(), 1);
    assert!(matches!(
        p.signals[0],
        ProcessSignal::RunOfEight {
            side: Side::Above,
            ..
        }
    ));
    assert!(
        process(&base(RUNS_FROM), &live[..7])
            .unwrap()
            .signals
            .is_empty()
    );
    let mut broken = live.clone();
    broken[4].1 = 11.0;
    assert!(
        process(&base(RUNS_FROM), &broken)
            .unwrap()
            .signals
            .is_empty()
    );
    // Below it, points outside are judged and runs are not.
    assert!(
        process(&base(RUNS_FROM - 1), &live)
            .unwrap()
            .signals
            .is_empty()
    );
}

/// Limits are computed from the decimals as typed and shown as the nearest number of the exact
/// result: no float noise (0.1 and 0.2 → centre 0.15, limits 0.15 ± 0.266).
#[test]
fn process_limits_read_the_decimals_as_typed() {
    let p = process_typed(&[(0, 0.1, Some("0.10")), (1, 0.2, Some("0.2"))], &[]).unwrap();
    assert_eq!(p.center, 0.15);
    assert_eq!(p.lower_limit, -0.116);
    assert_eq!(p.upper_limit, 0.416);
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        json.contains("\"lower_limit\":-0.116,\"upper_limit\":0.416"),
        "{json}"
    );
    // A 17-significant-digit value is the decimal typed, not the other one of the same length
    // that reads back as the same number: 0.10000000000000001 typed is 0.1 kept.
    let typed = "0.10000000000000001";
    assert_eq!(typed.parse::<f64>().unwrap(), 0.1);
    let base = [(0, 0.1, Some(typed)), (1, 0.1, None)];
    let p = process_typed(&base, &[]).unwrap();
    assert!(p.lower_limit < 0.1 && p.upper_limit > 0.1, "{p:?}");
}

/// The phases of a chart: the baseline phase's limits are the chart's; a phase of fewer than two
/// values, or of values that do not vary, has none (`null`, its key kept).
#[test]
fn each_phase_has_its_own_limits() {
    let p = phase(
        Some(7),
        &[(10.0, None), (12.0, None), (11.0, None), (13.0, None)],
    );
    assert_eq!((p.from, p.n, p.provisional), (Some(7), 4, true));
    close(p.center.unwrap(), 11.5, 1e-12);
    close(p.upper_limit.unwrap(), 11.5 + 2.66 * 5.0 / 3.0, 1e-12);
    let one = phase(Some(8), &[(10.0, None)]);
    assert_eq!(
        (one.center, one.lower_limit, one.upper_limit),
        (None, None, None)
    );
    let json = serde_json::to_value(&one).unwrap();
    assert!(json["lower_limit"].is_null() && json.get("lower_limit").is_some());
    assert!(
        phase::<u8>(None, &[(3.0, None), (3.0, Some("3.00"))])
            .center
            .is_none()
    );
    let chart = process(&pts(&[10.0, 12.0]), &[]).unwrap();
    assert_eq!(chart.phases.len(), 1);
    assert_eq!(chart.phases[0].from, None::<f64>);
    assert_eq!(chart.phases[0].center, Some(chart.center));
}

#[test]
fn sparklines_scale_between_min_and_max() {
    assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0]), "▁▂▃█");
    assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
    assert_eq!(sparkline(&[]), "");
    assert_eq!(sparkline(&[-1e308, 1e308]), "▄▄");
}
