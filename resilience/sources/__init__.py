"""Where graphs come from: the embedded region and OpenStreetMap."""
