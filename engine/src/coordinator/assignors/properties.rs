//! Property checks for assignments (the definitions of `../shared/vectors/README.md`).
//! Placeholder until the port of `props.py` lands.
