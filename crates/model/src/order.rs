//! Orders: what a household asked for, as bags to carry.

use crate::{Kg, Litres, Seconds};
use serde::{Deserialize, Serialize};

/// How urgent an order is. Unserved orders cost their priority's weight in the objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Medicine: first, always.
    Medicine,
    /// Infant, elderly or other special need.
    Need,
    /// Everything else.
    Normal,
}

impl Priority {
    /// All priorities, most urgent first.
    pub const ALL: [Priority; 3] = [Priority::Medicine, Priority::Need, Priority::Normal];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Medicine => "medicine",
            Priority::Need => "need",
            Priority::Normal => "normal",
        }
    }
}

/// One bag: the unit a porter picks up and hands over. Bags are never split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bag {
    /// Weight.
    pub kg: Kg,
    /// Volume, for the tricycle's box.
    pub litres: Litres,
    /// What is inside, for the sheets ("rice 10 kg").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An order as registered at the gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Order id, unique in the batch.
    pub id: String,
    /// Household id from the area file.
    pub household: String,
    /// Bags to deliver; at least one.
    pub bags: Vec<Bag>,
    /// Urgency.
    pub priority: Priority,
    /// When the order was placed, as seconds since local midnight.
    pub placed_at: Seconds,
    /// Station id the dispatcher pinned this order to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
}

impl Order {
    /// Total weight of the order.
    pub fn kg(&self) -> Kg {
        self.bags.iter().map(|b| b.kg).sum()
    }
}
