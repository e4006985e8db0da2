//! The figures a dispatcher checks first after loading an area.

use crate::graph::{Area, EdgeKind};
use serde::Serialize;
use std::fmt;

/// Counts and lengths of a built area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Households.
    pub households: usize,
    /// Residents, summed over households that give a count.
    pub residents: u64,
    /// Households without a resident count.
    pub households_without_residents: usize,
    /// Buildings.
    pub buildings: usize,
    /// Stairwells.
    pub stairwells: usize,
    /// Highest floor of any stairwell.
    pub highest_floor: u32,
    /// Lane kilometres a tricycle may use.
    pub tricycle_km: f64,
    /// Lane kilometres open on foot only.
    pub foot_only_km: f64,
    /// Station sites where a station operates now.
    pub open_stations: usize,
    /// Station sites in all.
    pub station_sites: usize,
    /// Gates.
    pub gates: usize,
    /// Graph size: nodes.
    pub nodes: usize,
    /// Graph size: edges.
    pub edges: usize,
}

impl Area {
    /// Counts and lengths for a first look.
    pub fn summary(&self) -> Summary {
        let (mut tricycle_m, mut foot_only_m) = (0.0, 0.0);
        for e in self.graph.edge_weights().filter(|e| matches!(e.kind, EdgeKind::Lane(_))) {
            if e.tricycle {
                tricycle_m += e.length.get();
            } else if e.foot {
                foot_only_m += e.length.get();
            }
        }
        Summary {
            households: self.households.len(),
            residents: self.households.iter().filter_map(|h| h.residents).map(u64::from).sum(),
            households_without_residents: self.households.iter().filter(|h| h.residents.is_none()).count(),
            buildings: self.buildings.len(),
            stairwells: self.stairwells.len(),
            highest_floor: self.stairwells.iter().map(|s| s.top_floor).max().unwrap_or(0),
            tricycle_km: tricycle_m / 1000.0,
            foot_only_km: foot_only_m / 1000.0,
            open_stations: self.open_sites().count(),
            station_sites: self.sites.len(),
            gates: self.gates.len(),
            nodes: self.graph.node_count(),
            edges: self.graph.edge_count(),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "households      {}", self.households)?;
        write!(f, "residents       {}", self.residents)?;
        if self.households_without_residents > 0 {
            write!(f, " ({} households give no count)", self.households_without_residents)?;
        }
        writeln!(f)?;
        writeln!(f, "buildings       {}", self.buildings)?;
        writeln!(f, "stairwells      {}", self.stairwells)?;
        writeln!(f, "highest floor   {}", self.highest_floor)?;
        writeln!(
            f,
            "lanes           {:.2} km by tricycle, {:.2} km on foot only",
            self.tricycle_km, self.foot_only_km
        )?;
        writeln!(f, "stations        {} open of {} sites", self.open_stations, self.station_sites)?;
        writeln!(f, "gates           {}", self.gates)?;
        write!(f, "graph           {} nodes, {} edges", self.nodes, self.edges)
    }
}
