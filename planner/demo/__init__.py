"""The demo programme: loads seeds/demo/ so a fresh install has something real to look at."""
