//! The one place that talks to the MIP solver: a model is built with good_lp's
//! expressions, handed to HiGHS, and read back with the status, the objective, the best
//! proven bound and the column values.

use good_lp::{
    Constraint, Expression, ProblemVariables, SolverModel, Variable, VariableDefinition, highs,
    variable,
};
use highs::HighsModelStatus;
use std::time::Duration;

/// Why a MIP solve returned no solution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MipError {
    /// HiGHS would not accept the model.
    #[error("the MIP solver rejected the model: {0}")]
    Rejected(String),
    /// HiGHS failed while solving.
    #[error("the MIP solver failed: {0}")]
    Failed(String),
    /// The model has no feasible solution.
    #[error("the model is infeasible")]
    Infeasible,
    /// HiGHS stopped with an unexpected status.
    #[error("the MIP solver stopped with status {0}")]
    Stopped(String),
    /// No feasible solution was found within the limits.
    #[error("the MIP solver found no feasible solution within the time limit")]
    NoSolution,
}

/// A variable of a [`Mip`]: good_lp's handle and its column index.
#[derive(Debug, Clone, Copy)]
pub struct Var {
    v: Variable,
    i: usize,
}

impl Var {
    /// Whether two handles are the same variable.
    pub fn same(self, other: Var) -> bool {
        self.i == other.i
    }
}

/// A model under construction.
pub(crate) struct Mip {
    vars: ProblemVariables,
    constraints: Vec<Constraint>,
    objective: Expression,
    initial: Vec<(Var, f64)>,
    /// Integer variables become continuous in `[lo, hi]` (the LP relaxation).
    relax: bool,
    /// Branch-and-bound node limit: a work limit that, unlike time, gives the same answer
    /// on every machine.
    node_limit: Option<i32>,
    /// HiGHS's `mip_heuristic_effort` (`None`: its default, 0.05).
    heuristic_effort: Option<f64>,
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Optimal within the gap tolerance.
    Optimal,
    /// Stopped by the time limit with a feasible solution.
    TimeLimit,
}

/// A solved model.
pub(crate) struct Solved {
    pub status: Status,
    /// Objective of the solution.
    pub objective: f64,
    /// Best proven lower bound (equal to `objective` for an LP).
    pub bound: f64,
    values: Vec<f64>,
    /// Reduced costs (LPs only; empty for a MIP).
    reduced: Vec<f64>,
    /// Row duals, in the order rows were added (LPs only; empty for a MIP).
    duals: Vec<f64>,
}

impl Solved {
    /// The value of a variable.
    pub fn value(&self, v: Var) -> f64 {
        self.values[v.i]
    }

    /// The reduced cost of a variable in an LP solution (0 when unknown).
    pub fn reduced_cost(&self, v: Var) -> f64 {
        self.reduced.get(v.i).copied().unwrap_or(0.0)
    }

    /// The dual of the `row`-th row added, in an LP solution (0 when unknown). HiGHS's
    /// sign convention: a column's reduced cost is its cost minus its rows' duals.
    pub fn row_dual(&self, row: usize) -> f64 {
        self.duals.get(row).copied().unwrap_or(0.0)
    }
}

impl Mip {
    pub fn new(relax: bool) -> Self {
        Mip {
            vars: ProblemVariables::new(),
            constraints: Vec::new(),
            objective: Expression::default(),
            initial: Vec::new(),
            relax,
            node_limit: None,
            heuristic_effort: None,
        }
    }

    fn add(&mut self, def: VariableDefinition, cost: f64) -> Var {
        let i = self.vars.len();
        let v = self.vars.add(def);
        if cost != 0.0 {
            self.objective.add_mul(cost, v);
        }
        Var { v, i }
    }

    /// Stops branch and bound after `nodes` nodes (the best solution so far is returned).
    pub fn node_limit(&mut self, nodes: i32) {
        self.node_limit = Some(nodes);
    }

    /// The share of branch and bound's work HiGHS may spend on primal heuristics (RINS,
    /// RENS and the like; its default is 0.05).
    pub fn heuristic_effort(&mut self, share: f64) {
        self.heuristic_effort = Some(share);
    }

    /// A 0/1 variable with an objective coefficient.
    pub fn binary(&mut self, cost: f64) -> Var {
        if self.relax {
            self.add(variable().min(0).max(1), cost)
        } else {
            self.add(variable().binary(), cost)
        }
    }

    /// A continuous variable in `[lo, hi]` with an objective coefficient.
    pub fn continuous(&mut self, lo: f64, hi: f64, cost: f64) -> Var {
        self.add(variable().min(lo).max(hi), cost)
    }

    /// Adds `Σ coef·var` (≤, =, ≥) `rhs`.
    pub fn row(&mut self, terms: impl IntoIterator<Item = (Var, f64)>, sense: Sense, rhs: f64) {
        let mut e = Expression::default();
        for (v, c) in terms {
            e.add_mul(c, v.v);
        }
        self.constraints.push(match sense {
            Sense::Le => e.leq(rhs),
            Sense::Eq => e.eq(rhs),
            Sense::Ge => e.geq(rhs),
        });
    }

    /// A starting solution (a MIP start for HiGHS).
    pub fn start(&mut self, values: impl IntoIterator<Item = (Var, f64)>) {
        self.initial.extend(values);
    }

    /// Number of variables and constraints.
    pub fn size(&self) -> (usize, usize) {
        (self.vars.len(), self.constraints.len())
    }

    /// Solves with HiGHS. `Err` says why no solution came back (infeasible, no solution
    /// in time, solver error).
    pub fn solve(self, time_limit: Duration, threads: usize) -> Result<Solved, MipError> {
        let n = self.vars.len();
        let relax = self.relax;
        let mut problem = self.vars.minimise(self.objective).using(highs);
        for c in self.constraints {
            problem.add_constraint(c);
        }
        let mut model = problem
            .try_into_inner()
            .map_err(|e| MipError::Rejected(e.to_string()))?;
        model.make_quiet();
        if std::env::var_os("SCHOOLRUN_MIP_LOG").is_some() {
            // Diagnostics only: HiGHS's own log on stderr.
            model.set_option("output_flag", true);
            model.set_option("log_to_console", true);
        }
        model.set_option("time_limit", time_limit.as_secs_f64().max(0.01));
        model.set_option("threads", threads.max(1) as i32);
        model.set_option("random_seed", 1);
        // Proven optimality: stop only when the gap is below a penny per day.
        model.set_option("mip_rel_gap", 1e-7);
        model.set_option("mip_abs_gap", 1e-3);
        if let Some(n) = self.node_limit {
            model.set_option("mip_max_nodes", n);
        }
        if let Some(h) = self.heuristic_effort {
            model.set_option("mip_heuristic_effort", h);
        }
        if !self.initial.is_empty() {
            let mut x = vec![0.0; n];
            for (v, val) in &self.initial {
                x[v.i] = *val;
            }
            model.set_solution(Some(&x), None, None, None);
        }
        let solved = model
            .try_solve()
            .map_err(|e| MipError::Failed(format!("{e:?}")))?;
        let status = match solved.status() {
            HighsModelStatus::Optimal => Status::Optimal,
            HighsModelStatus::ReachedTimeLimit
            | HighsModelStatus::ReachedIterationLimit
            | HighsModelStatus::ReachedSolutionLimit
            | HighsModelStatus::ReachedInterrupt => Status::TimeLimit,
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
                return Err(MipError::Infeasible);
            }
            other => return Err(MipError::Stopped(format!("{other:?}"))),
        };
        if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
            return Err(MipError::NoSolution);
        }
        let objective = solved.objective_value();
        let bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite() && *b > -1e30)
            .unwrap_or(objective);
        let solution = solved.get_solution();
        let values = solution.columns().to_vec();
        let (reduced, duals) = if relax {
            (
                solution.dual_columns().to_vec(),
                solution.dual_rows().to_vec(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(Solved {
            status,
            objective,
            bound: bound.min(objective),
            values,
            reduced,
            duals,
        })
    }
}

/// A divisor that brings integer costs to at most 1 in magnitude, keeping a model's
/// numbers moderate (1 when there are none).
pub(crate) fn cost_scale(costs: impl Iterator<Item = i64>) -> f64 {
    costs.map(i64::unsigned_abs).max().unwrap_or(1).max(1) as f64
}

/// Constraint sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    Le,
    Eq,
    Ge,
}
