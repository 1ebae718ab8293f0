"""Adoption: readiness surveys (ADKAR), active against licensed users per region and week after go-live, and the
super-users of each region."""
