//! Two things timed in turns, for benchmarks that compare them: each sees the machine at the
//! same moments, where timing one for a while and then the other would let the machine's
//! drift between the two windows into the comparison.

use std::time::Instant;

/// Runs `first` then `second`, `pairs` times, and gives the median time of each in
/// nanoseconds. Whatever each closure does (dropping what it made included) is timed.
///
/// ```
/// let (first, second) = swarm_testkit::timing::in_turns(5, || (), || ());
/// assert!(first >= 0.0 && second >= 0.0);
/// ```
pub fn in_turns(pairs: usize, mut first: impl FnMut(), mut second: impl FnMut()) -> (f64, f64) {
    match in_turns_all(pairs, &mut [&mut first, &mut second])[..] {
        [first, second] => (first, second),
        _ => unreachable!("one median per step"),
    }
}

/// Runs each of `steps` in order, `rounds` times, and gives the median time of each in
/// nanoseconds, in the order of `steps`: [`in_turns`] for any number of things.
///
/// ```
/// let mut count = 0;
/// let medians = swarm_testkit::timing::in_turns_all(4, &mut [&mut || (), &mut || count += 1]);
/// assert_eq!((medians.len(), count), (2, 4));
/// ```
pub fn in_turns_all(rounds: usize, steps: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut times = vec![Vec::with_capacity(rounds); steps.len()];
    for _ in 0..rounds.max(1) {
        for (step, times) in steps.iter_mut().zip(&mut times) {
            let started = Instant::now();
            step();
            times.push(started.elapsed().as_secs_f64() * 1e9);
        }
    }
    times.into_iter().map(median).collect()
}

/// The median of a non-empty list of times (the upper one of an even count).
fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_time() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
    }

    #[test]
    fn both_run_once_per_pair_in_turns() {
        let order = std::cell::RefCell::new(String::new());
        in_turns(
            3,
            || order.borrow_mut().push('a'),
            || order.borrow_mut().push('b'),
        );
        assert_eq!(order.into_inner(), "ababab");
    }
}
