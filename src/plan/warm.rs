//! Starting points for the search: the routes of an earlier plan, or today's contracts,
//! as pupils in visiting order per half of the day, rebuilt in a compiled problem.

use super::compile::{AM, Compiled, PM};
use super::model::{Event, Plan};
use crate::routing::{self, Problem, Solution};
use crate::scenario::Scenario;

/// Routes as pupils in visiting order: a starting point for planning.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Warm {
    /// One entry per vehicle: its type and, per half (morning, afternoon), its stops as
    /// (pupil index, is pickup).
    pub routes: Vec<Route>,
}

/// A stop of a warm start: (pupil index, is pickup).
pub type WarmStop = (usize, bool);

impl Warm {
    /// The routes of a plan.
    pub fn from_plan(plan: &Plan) -> Warm {
        let half = |h: &Option<super::model::HalfDay>| -> Vec<(usize, bool)> {
            h.iter()
                .flat_map(|x| x.stops.iter())
                .map(|s| (s.pupil, s.event == Event::Pickup))
                .collect()
        };
        Warm {
            routes: plan
                .routes
                .iter()
                .map(|r| (r.vehicle, [half(&r.am), half(&r.pm)]))
                .collect(),
        }
    }

    /// The routes of a solution of a compiled problem, as pupils in visiting order (to
    /// carry it into another problem over the same scenario, e.g. with a pupil more).
    pub fn from_solution(c: &Compiled, sol: &Solution) -> Warm {
        let p = &c.problem;
        Warm {
            routes: sol
                .to_routes(p)
                .into_iter()
                .map(|(v, trips)| {
                    let half = |t: usize| -> Vec<(usize, bool)> {
                        trips.get(t).map_or(Vec::new(), |stops| {
                            stops
                                .iter()
                                .map(|&s| {
                                    let stop = &p.stops[s as usize];
                                    (
                                        c.pupil_of_job[stop.job as usize],
                                        stop.kind == routing::StopKind::Pickup,
                                    )
                                })
                                .collect()
                        })
                    };
                    (v, [half(AM), half(PM)])
                })
                .collect(),
        }
    }

    /// Today's routes (`current_routes.csv`): in the morning, pickups in the listed order,
    /// then the schools by their bell; in the afternoon, the schools by their finishing
    /// time, then the drop-offs in the reverse order.
    pub fn from_current(sc: &Scenario) -> Warm {
        let routes = sc
            .current_routes
            .iter()
            .map(|cr| {
                let mut schools: Vec<usize> = Vec::new();
                for &p in &cr.pupils {
                    let s = sc.pupils[p].school;
                    if !schools.contains(&s) {
                        schools.push(s);
                    }
                }
                let at = |s: usize| cr.pupils.iter().filter(move |&&p| sc.pupils[p].school == s);
                let mut am: Vec<(usize, bool)> = cr.pupils.iter().map(|&p| (p, true)).collect();
                schools.sort_by_key(|&s| (sc.schools[s].am_arrive_latest, s));
                for &s in &schools {
                    am.extend(at(s).map(|&p| (p, false)));
                }
                schools.sort_by_key(|&s| (sc.schools[s].pm_depart, s));
                let mut pm: Vec<(usize, bool)> = Vec::new();
                for &s in &schools {
                    pm.extend(at(s).map(|&p| (p, true)));
                }
                pm.extend(cr.pupils.iter().rev().map(|&p| (p, false)));
                (cr.vehicle, [am, pm])
            })
            .collect();
        Warm { routes }
    }

    /// Drops pupils from every route (e.g. those moving to PTB or ITT).
    pub fn without(&self, pupils: &[usize]) -> Warm {
        Warm {
            routes: self
                .routes
                .iter()
                .map(|(v, halves)| {
                    (
                        *v,
                        halves
                            .clone()
                            .map(|h| h.into_iter().filter(|(p, _)| !pupils.contains(p)).collect()),
                    )
                })
                .collect(),
        }
    }

    /// `self`, a plan derived from `old` by changing some of its routes, with the same
    /// change made to `new` instead: `new` less the routes of `old` that `self` replaced,
    /// plus the routes `self` made. `None` when `new` no longer has a route `self` replaced
    /// (the two changes touch the same pupils). Routes are compared as wholes (vehicle type
    /// and both halves' stops); empty routes are ignored. The result carries the pupils
    /// `new` carries when `self` carries those of `old`.
    pub fn transplant(&self, old: &Warm, new: &Warm) -> Option<Warm> {
        let made = minus(self, old);
        if made.is_empty() {
            return Some(new.clone());
        }
        new.apply(&minus(old, self), made)
    }

    /// `self` less the routes `gone` (each must be one of its routes, else `None`) plus
    /// the routes `made`.
    fn apply(&self, gone: &[Route], made: Vec<Route>) -> Option<Warm> {
        let mut kept = self.clone();
        kept.routes.retain(busy);
        for r in gone {
            let k = kept.routes.iter().position(|x| x == r)?;
            kept.routes.remove(k);
        }
        kept.routes.extend(made);
        Some(kept)
    }

    /// Route `k`'s stops per trip in a compiled problem: the stops of every pupil found in
    /// the problem whose job is not `taken` yet and lies wholly on this route (those jobs
    /// are then marked taken). `None` when no job is left.
    pub fn route_stops(
        &self,
        c: &Compiled,
        jobs_of: &[Vec<u32>],
        k: usize,
        taken: &mut [bool],
    ) -> Option<(usize, Vec<Vec<u32>>)> {
        let p = &c.problem;
        let (v, halves) = &self.routes[k];
        if *v >= p.vehicles.len() {
            return None;
        }
        let mut trips: Vec<Vec<u32>> = vec![Vec::new(), Vec::new()];
        let mut here: Vec<u32> = Vec::new();
        for (t, half) in [(AM, &halves[0]), (PM, &halves[1])] {
            for &(pupil, pickup) in half {
                let Some(jobs) = jobs_of.get(pupil) else {
                    continue;
                };
                let Some(&j) = jobs
                    .iter()
                    .find(|&&j| p.jobs[j as usize].parts[t].is_some())
                else {
                    continue;
                };
                if taken[j as usize] {
                    continue;
                }
                let part = p.jobs[j as usize].parts[t].expect("found above");
                trips[t].push(if pickup { part.first } else { part.last });
                if !here.contains(&j) {
                    here.push(j);
                }
            }
        }
        // Keep only jobs whose every stop is on this route.
        here.retain(|&j| {
            p.jobs[j as usize]
                .stops
                .iter()
                .all(|s| trips.iter().any(|t| t.contains(s)))
        });
        for t in trips.iter_mut() {
            t.retain(|&s| here.contains(&p.stops[s as usize].job));
        }
        if here.is_empty() {
            return None;
        }
        for &j in &here {
            taken[j as usize] = true;
        }
        Some((*v, trips))
    }

    /// Every route's stops per trip in a compiled problem (see [`Warm::route_stops`]).
    pub fn stops(&self, c: &Compiled) -> Vec<(usize, Vec<Vec<u32>>)> {
        let jobs_of = c.jobs_of_pupil(c.pupil_of_job.iter().max().map_or(0, |m| m + 1));
        let mut taken = vec![false; c.problem.jobs.len()];
        (0..self.routes.len())
            .filter_map(|k| self.route_stops(c, &jobs_of, k, &mut taken))
            .collect()
    }

    /// The starting solution in a compiled problem: each route keeps its order; a route
    /// that breaks a rule is dropped and its pupils are left for the search to place.
    pub fn solution(&self, c: &Compiled) -> Solution {
        let p = &c.problem;
        let routes = self
            .stops(c)
            .into_iter()
            .filter(|(v, trips)| valid(p, *v, trips))
            .collect();
        Solution::from_routes(p, routes)
    }
}

/// Whether one route keeps every rule, by the independent checker.
pub fn valid(p: &Problem, v: usize, trips: &[Vec<u32>]) -> bool {
    trips.iter().all(Vec::is_empty)
        || routing::verify(p, &Solution::from_routes(p, vec![(v, trips.to_vec())])).ok()
}

/// One route of a warm start: vehicle type and both halves' stops.
pub type Route = (usize, [Vec<WarmStop>; 2]);

/// Whether a route carries anyone.
fn busy(r: &Route) -> bool {
    r.1.iter().any(|h| !h.is_empty())
}

/// The busy routes of `a` that are not routes of `b` (as a multiset difference; a route's
/// pupils are its own, so a route occurs at most once in a plan).
fn minus(a: &Warm, b: &Warm) -> Vec<Route> {
    let mut left: Vec<&Route> = b.routes.iter().filter(|r| busy(r)).collect();
    a.routes
        .iter()
        .filter(|r| busy(r))
        .filter(|r| match left.iter().position(|x| x == r) {
            Some(k) => {
                left.swap_remove(k);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Route, Warm, WarmStop};

    /// A route of vehicle type 0 carrying `pupils` (picked up in order, dropped in order,
    /// both halves alike).
    fn route(pupils: &[usize]) -> Route {
        let half: Vec<WarmStop> = pupils
            .iter()
            .map(|&p| (p, true))
            .chain(pupils.iter().map(|&p| (p, false)))
            .collect();
        (0, [half.clone(), half])
    }

    fn plan(routes: &[&[usize]]) -> Warm {
        Warm {
            routes: routes.iter().map(|r| route(r)).collect(),
        }
    }

    fn sorted(w: &Warm) -> Vec<Route> {
        let mut r = w.routes.clone();
        r.sort();
        r
    }

    #[test]
    fn a_change_moves_onto_an_improved_base_when_they_touch_other_pupils() {
        // old: four routes. `mine` re-planned pupils 1–4 (routes a, b) as one route;
        // `new` re-planned pupils 5–8 (routes c, d) differently.
        let old = plan(&[&[1, 2], &[3, 4], &[5, 6], &[7, 8]]);
        let mine = plan(&[&[1, 2, 3, 4], &[5, 6], &[7, 8]]);
        let new = plan(&[&[1, 2], &[3, 4], &[5, 8], &[6, 7]]);
        let got = mine.transplant(&old, &new).expect("disjoint changes");
        assert_eq!(
            sorted(&got),
            sorted(&plan(&[&[1, 2, 3, 4], &[5, 8], &[6, 7]]))
        );
        // Nothing changed in between: the plan itself.
        assert_eq!(sorted(&mine.transplant(&old, &old).unwrap()), sorted(&mine));
        // A plan equal to its origin takes the new base as it is.
        assert_eq!(sorted(&old.transplant(&old, &new).unwrap()), sorted(&new));
    }

    #[test]
    fn a_change_does_not_move_when_the_base_changed_the_same_pupils() {
        let old = plan(&[&[1, 2], &[3, 4], &[5, 6]]);
        let mine = plan(&[&[1, 2, 3, 4], &[5, 6]]);
        let new = plan(&[&[1, 3], &[2, 4], &[5, 6]]);
        assert_eq!(mine.transplant(&old, &new), None);
    }

    #[test]
    fn empty_routes_are_ignored() {
        let old = plan(&[&[1, 2], &[], &[3]]);
        let mine = plan(&[&[1, 2, 3]]);
        let new = plan(&[&[2, 1], &[3], &[]]);
        assert_eq!(mine.transplant(&old, &new), None);
        let new = plan(&[&[1, 2], &[3], &[4]]);
        assert_eq!(
            sorted(&mine.transplant(&old, &new).unwrap()),
            sorted(&plan(&[&[1, 2, 3], &[4]]))
        );
    }
}
