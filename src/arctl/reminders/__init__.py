"""Reminders and escalation (催款): the dunning policy and the pure rules deciding what is due today.

- `policy`: the data model (`Step`, `Fee`, `Ladder`, `Rule`, `Policy`) and `ladder_for`, which picks a
  customer's ladder by credit grade and tag (or None when the customer is excluded).
- `load`: `load_policy(path | None)`, the shipped `default_policy.toml` merged with a user's TOML file.
- `ladder`: `due_steps` (per installment, the highest step reached and not yet done; holds become
  `Skipped` with a reason) and `group_messages` (one message per customer and channel).

Everything here is pure: no database, no templates, no sending. The services layer feeds installment states
in, records each (installment, step) it acts on, and feeds them back on the next run.
"""
