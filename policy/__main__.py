"""c360 policy pack: `pulumi preview --policy-pack ./policy` (the rules live in c360_rules.py)."""

from c360_rules import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name="c360-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
