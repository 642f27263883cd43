"""Reminders and escalation (催款): the dunning policy and the pure rules deciding what is due today.

- `policy`: the data model (`Step`, `Fee`, `Ladder`, `Rule`, `Policy`) and `ladder_for`, which picks a
  customer's ladder by credit grade and tag (or None when the customer is excluded).
- `load`: `load_policy(path | None)`, the shipped `default_policy.toml` merged with a user's TOML file.
- `ladder`: `due_steps` (per installment, the highest step reached and not yet done; holds become
  `Skipped` with a reason) and `group_messages` (one message per customer and channel).

- `letters`: `Templates(user_dir).render(template, language, context) -> Rendered(subject, text, html)`, the
  reminder emails, call/visit/legal task sheets and printable letters (催款函, 律师函, 对账函) from Jinja2
  templates in a sandbox; a user folder overrides the shipped `templates/` file by file.
- `mail`: `MailSettings`, `build_email` (RFC 5322, no header injection), `write_eml` (atomic, 0600 outbox
  files) and `SmtpSender` (STARTTLS / implicit TLS, verified certificates).

`letters` and `mail` are imported only by the commands that need them (jinja2 stays off the CLI start-up
path), so nothing is imported here. `policy`, `load` and `ladder` are pure: no database, no templates, no
sending. The services layer feeds installment states
in, records each (installment, step) it acts on, and feeds them back on the next run.
"""
