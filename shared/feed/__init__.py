"""Events pushed to other systems: the scoped event feed (`GET /feed`) and signed webhook deliveries.

Both show an outside system the events its organisation may see (R61), with every personal value replaced
by a marker (R62): systems fetch personal data through the APIs, where it is access-controlled.
"""
