"""ICE gateway domain: referrals, the three ICE stages, fees, redress and PHSO (R30-R40; issue 5)."""
