//! What a target needs: the detectable change, how many live values, and no power promised where
//! no count can deliver it.

use super::*;

/// Under the rule that survives weekly looks (`/work/notes/seq_ref.py` in SciPy 1.17.1, extended
/// for issue 19: look k of h spends 0.05·((k/h)³ − ((k−1)/h)³); mde = (t₁₋ₐ/₂,ν + t₀.₈₀,ν)·s⁺·
/// √(1/n_b + 1/n_l)·κ with Welch's ν for equal spreads, a the largest multiple of min_p at or
/// below the look's share, κ the serial allowance (the widening at φ = min(0.9,
/// 0.3/(√pairs·(1 − 3c)))) and s⁺ = s·√((n_b − 1)/χ²₀.₁₅,ₙ_b₋₁) = 1.2517447051931831, the 85%
/// upper bound of the spread from s = 0.6454972243679028): a change of 5 is promised at 5 live
/// values (the horizon derived from it), mde there 4.638642220697711; 3, 1, 1.5 and 0.8 cannot
/// be seen with 4 baseline values at any horizon up to 520 — 4, 15, 9 and 22 more baseline
/// values would; under a fixed horizon of 12, 5 is promised at 8.
#[test]
fn detectable_change_and_how_many_live_values_a_target_needs() {
    let base = pts(&[9.5, 10.5, 10.0, 11.0]);
    let live = pts(&[7.0, 6.5, 8.0]);
    let with_horizon = |change: f64, h: Option<usize>| {
        compare(
            &base,
            &live,
            Better::Lower,
            Some(Target {
                change,
                percent: false,
            }),
            h.map(|h| (h, HorizonFrom::Typed)),
        )
    };
    let with = |change: f64| with_horizon(change, None);
    let c = with(-5.0);
    assert_eq!(c.live_needed, Some(5));
    let seq = c.sequential.clone().unwrap();
    assert_eq!((seq.horizon, seq.horizon_from), (5, HorizonFrom::Target));
    // The look is the 3rd of 5, which cannot reach its share: no mde at this look.
    assert_eq!(c.mde, None);
    let at_five = compare(
        &base,
        &pts(&[7.0, 6.5, 8.0, 7.5, 7.0]),
        Better::Lower,
        Some(Target {
            change: -5.0,
            percent: false,
        }),
        None,
    );
    close(at_five.mde.unwrap(), 4.638642220697711, 1e-8);
    for (change, more) in [(-3.0, 4), (-1.0, 16), (-1.5, 9), (-0.8, 22)] {
        let c = with(change);
        assert_eq!(c.live_needed, None, "{change}");
        assert_eq!(c.baseline_needed, Some(more), "{change}");
        assert!(
            c.live_needed_note
                .unwrap()
                .contains(&format!("{more} more baseline values"))
        );
        assert_eq!(c.sequential.unwrap().horizon_from, HorizonFrom::Default);
    }
    let c = with_horizon(-5.0, Some(12));
    assert_eq!(c.live_needed, Some(8));
    let seq = c.sequential.unwrap();
    assert_eq!((seq.horizon, seq.horizon_from), (12, HorizonFrom::Typed));
    // A typed horizon too short for the target says which would do.
    let c = with_horizon(-5.0, Some(2));
    assert_eq!(c.live_needed, None);
    assert!(c.live_needed_note.unwrap().contains("horizon of 5 would"));
    // A percentage target is a share of the baseline mean (10.25): −10% is −1.025.
    let c = compare(
        &base,
        &live,
        Better::Lower,
        Some(Target {
            change: -10.0,
            percent: true,
        }),
        None,
    );
    close(c.target.unwrap(), -1.025, 1e-12);
}
