"""Readiness surveys (ADKAR: awareness, desire, knowledge, ability, reinforcement, each scored 1-5) per audience
and region, answered through a signed link or entered from paper."""
