"""`regwatch run`: the timer, the worker pool and the leases between replicas."""
