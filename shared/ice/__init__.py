"""The ICE case: one stream per complaint referred to the Independent Case Examiner (R30-R40).

Its decider lives here, in `shared`, because the escalation service folds ICE events into a
complaint's deadlines and reporting counts them; only the ICE gateway writes to the stream.
"""
