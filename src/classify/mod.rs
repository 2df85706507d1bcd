//! Classification: verdict and evidence for each Partner Center event.
pub mod hosts;
pub mod operation;
