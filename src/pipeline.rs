//! The pipeline: wires the stages together with rayon.
