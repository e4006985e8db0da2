//! The fixed facts the search consults: eligible stations, penalties, neighbour lists, fleet
//! limits. Built once per solve; never changed by the search.

use crate::outing::{Outing, WalkPrice, leg};
use crate::parcel::Parcel;
use lastmetre_model::Instance;

/// Fixed facts the search consults.
pub(crate) struct Context<'a> {
    pub instance: &'a Instance,
    pub parcels: &'a [Parcel],
    /// Stations that may serve each parcel (pinned, or every station that reaches it).
    pub eligible: Vec<Vec<usize>>,
    /// Penalty for leaving each parcel out.
    pub penalty: Vec<f64>,
    /// For each stairwell, its `NEARBY` nearest (itself first) by walking distance: what
    /// the related and string ruins walk through. A full sorted row per stairwell was n²
    /// memory, too much at district and XXL sizes.
    pub nearby: Vec<Vec<usize>>,
    /// The first `GRANULARITY` of each `nearby` row in one flat array (unused places
    /// `u32::MAX`): the granular moves' test ([`Context::near_row`]), a scan of one cache
    /// line where an n × n table of flags took n² bytes (36 MB at 6,000 customers).
    near: Vec<[u32; GRANULARITY]>,
    pub stairwells: usize,
    pub max_carry: f64,
    /// Kilograms already stocked at each station (goods of frozen trips, failed deliveries).
    pub stocked_kg: Vec<f64>,
    /// Row-major parcels × stations: `eligible` as a table, for the hot insertion loop.
    pub serving: Vec<bool>,
    /// Energy the porters on duty spent before this cycle: (most, least, sum, porters).
    pub shift: (f64, f64, f64, f64),
    /// Most outings in all and from one station, when the fleet limits them.
    pub outing_limit: Option<usize>,
    pub station_outing_limit: Option<usize>,
    /// Each station's place in the tricycles' best loop, for the echelon-1 estimate.
    pub loop_position: Vec<usize>,
    /// Walking's price where stop order changes only walking.
    pub walk_price: Option<WalkPrice>,
    /// Walking from stairwell a to b is as long as from b to a (true of every undirected
    /// walking graph and of benchmark distances): a leg into a stairwell can then be read
    /// from that stairwell's own row of the matrix, which stays in cache.
    pub walk_symmetric: bool,
    /// Each stairwell's walk from its nearest station, metres (infinite when none reaches it).
    pub station_distance: Vec<f64>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(instance: &'a Instance, parcels: &'a [Parcel]) -> Self {
        let eligible: Vec<Vec<usize>> = parcels
            .iter()
            .map(|p| {
                let job = &instance.jobs[p.job];
                // Goods already at a station leave from there.
                match job.stocked.map(|s| s.station).or(job.pinned_station) {
                    Some(s) => vec![s].into_iter().filter(|s| reachable(instance, *s, p.stairwell)).collect(),
                    None => (0..instance.stations.len()).filter(|s| reachable(instance, *s, p.stairwell)).collect(),
                }
            })
            .collect();
        let penalty = parcels.iter().map(|p| instance.unserved_cost(p.job)).collect();
        let n = instance.stairwells.len();
        let nearby: Vec<Vec<usize>> = (0..n)
            .map(|a| {
                let mut others: Vec<usize> = (0..n).collect();
                let d = |b: &usize| instance.walk_stairwell_stairwell.get(a, *b).map_or(f64::INFINITY, |m| m.get());
                let order = |x: &usize, y: &usize| d(x).total_cmp(&d(y)).then(x.cmp(y));
                if n > NEARBY {
                    others.select_nth_unstable_by(NEARBY - 1, order);
                    others.truncate(NEARBY);
                    // A truncated vector keeps its capacity: n per row, n² in all.
                    others.shrink_to_fit();
                }
                others.sort_by(order);
                others
            })
            .collect();
        let near = nearby
            .iter()
            .map(|row| {
                let mut first = [u32::MAX; GRANULARITY];
                for (slot, &b) in first.iter_mut().zip(row) {
                    *slot = b as u32;
                }
                first
            })
            .collect();
        let spent: Vec<f64> = (0..instance.fleet.porters.count)
            .map(|i| instance.porter_state(i))
            .filter(|p| p.on_duty)
            .map(|p| p.spent_kj)
            .collect();
        let shift = (
            spent.iter().copied().fold(0.0, f64::max),
            spent.iter().copied().fold(f64::INFINITY, f64::min).min(f64::MAX),
            spent.iter().sum(),
            spent.len().max(1) as f64,
        );
        let stations = instance.stations.len();
        let mut serving = vec![false; parcels.len() * stations];
        for (p, list) in eligible.iter().enumerate() {
            for &st in list {
                serving[p * stations + st] = true;
            }
        }
        let mut stocked_kg = vec![0.0; stations];
        for job in &instance.jobs {
            if let Some(stock) = job.stocked {
                stocked_kg[stock.station] += job.kg();
            }
        }
        let porters = &instance.fleet.porters;
        let on_duty = (0..porters.count).filter(|i| instance.porter_state(*i).on_duty).count();
        let outing_limit = porters.outings_each.map(|n| n * on_duty);
        let station_outing_limit = porters.outings_each.zip(porters.per_station).map(|(n, k)| n * k);
        let mut loop_position = vec![0; stations];
        for (k, s) in crate::assemble::tour(instance, &(0..stations).collect::<Vec<_>>()).into_iter().enumerate() {
            loop_position[s] = k;
        }
        let walk = &instance.walk_stairwell_stairwell;
        let walk_symmetric = (0..n).all(|a| (0..a).all(|b| walk.get(a, b) == walk.get(b, a)));
        let station_distance = (0..n)
            .map(|w| {
                (0..stations)
                    .filter_map(|st| instance.walk_station_stairwell.get(st, w))
                    .map(|m| m.get())
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        Context {
            walk_symmetric,
            station_distance,
            outing_limit,
            station_outing_limit,
            loop_position,
            walk_price: WalkPrice::of(instance),
            stocked_kg,
            serving,
            shift,
            instance,
            parcels,
            eligible,
            penalty,
            nearby,
            near,
            stairwells: n,
            max_carry: instance.fleet.porters.max_carry_kg.get() + 1e-9,
        }
    }

    /// Metres from the station (`from` none) or stairwell `from` into stairwell `to`: [`leg`],
    /// read from `to`'s row where walking is symmetric.
    pub(super) fn leg_into(&self, station: usize, from: Option<usize>, to: usize) -> Option<f64> {
        match from {
            Some(w) if self.walk_symmetric => self.instance.walk_stairwell_stairwell.get(to, w).map(|m| m.get()),
            _ => leg(self.instance, station, from, to),
        }
    }

    /// Station `s` may serve parcel `p`.
    pub(crate) fn serves(&self, p: usize, s: usize) -> bool {
        self.serving[p * self.instance.stations.len() + s]
    }

    /// What parcel `p` adds to its station's load: nothing when it is already stocked there.
    pub(crate) fn adds_kg(&self, p: usize) -> f64 {
        if self.instance.jobs[self.parcels[p].job].stocked.is_some() { 0.0 } else { self.parcels[p].kg }
    }

    /// The stairwells near `a`: its `GRANULARITY` nearest (`a` itself included), the
    /// granular neighbourhood of insertions and 2-opt.
    pub(crate) fn near_of(&self, a: usize) -> impl Iterator<Item = usize> + '_ {
        self.near[a].iter().take_while(|b| **b != u32::MAX).map(|b| *b as usize)
    }

    /// [`near_of`](Self::near_of) `a` as a copy, for a loop to scan without reading the
    /// context again.
    #[inline]
    pub(crate) fn near_row(&self, a: usize) -> [u32; GRANULARITY] {
        self.near[a]
    }

    /// The one admission check of every move: may an outing from `station` take `parcels`?
    /// It [`fits`](Self::fits) and the station [`has room`](Self::has_room).
    pub(crate) fn admits(
        &self,
        routes: &[Outing],
        station: usize,
        parcels: &[usize],
        outing_kg: Option<f64>,
        unlisted_kg: f64,
    ) -> bool {
        self.fits(station, parcels, outing_kg) && self.has_room(routes, station, parcels, unlisted_kg)
    }

    /// The cheap half of [`admits`](Self::admits): the station serves each parcel, and the
    /// outing that takes them stays within the carry limit (`outing_kg`, its load after the
    /// move, or `None` when whole outings move and their loads stay as they are).
    pub(crate) fn fits(&self, station: usize, parcels: &[usize], outing_kg: Option<f64>) -> bool {
        parcels.iter().all(|p| self.serves(*p, station)) && outing_kg.is_none_or(|kg| kg <= self.max_carry)
    }

    /// The other half, a pass over the outings where the station has a storage limit: room
    /// to store `parcels` beside what its outings in `routes`, and `unlisted_kg` more (an
    /// outing being built), already hold.
    pub(crate) fn has_room(&self, routes: &[Outing], station: usize, parcels: &[usize], unlisted_kg: f64) -> bool {
        self.storage_ok(routes, station, unlisted_kg + parcels.iter().map(|p| self.adds_kg(*p)).sum::<f64>())
    }

    /// Whether `station` can store `extra_kg` more beside what it holds.
    fn storage_ok(&self, routes: &[Outing], station: usize, extra_kg: f64) -> bool {
        match self.instance.stations[station].storage_kg {
            None => true,
            Some(limit) => {
                // Goods already stocked there count whether or not they go out; the rest
                // counts when an outing takes it.
                let carried: f64 = routes
                    .iter()
                    .filter(|r| r.station == station)
                    .flat_map(|r| r.stops.iter().flat_map(|s| &s.parcels))
                    .filter(|p| self.instance.jobs[self.parcels[**p].job].stocked.is_none())
                    .map(|p| self.parcels[*p].kg)
                    .sum();
                carried + self.stocked_kg[station] + extra_kg <= limit + 1e-9
            }
        }
    }
}

fn reachable(instance: &Instance, station: usize, stairwell: usize) -> bool {
    instance.walk_station_stairwell.get(station, stairwell).is_some()
}

/// Outings considered for a parcel: those visiting one of its stairwell's this many nearest
/// stairwells (itself first).
const GRANULARITY: usize = 10;

/// Stairwells kept in each `Context::nearby` list: far more than a ruin of at most 30
/// parcels, or its four outings, walks through.
const NEARBY: usize = 128;
