// Package config reads rq's profiles: named connections to REDCap projects
// kept in $XDG_CONFIG_HOME/rq/config (INI). A profile names the API URL,
// the file holding the token, a CA bundle and whether to skip TLS checks;
// the file never holds a token itself.
//
//	# comments start with # or ;
//	[default]
//	url = https://redcap.example.edu/api/
//	token_file = ~/.config/rq/study.token
//
//	[other]                      (or [profile other])
//	url = ...
//	ca_bundle = /etc/ssl/our-ca.pem
//	insecure = false
//	max_rate = 120               (calls per minute; 0: no limit)
//	concurrency = 2              (record exports in flight at once)
//
// It is under internal/ (not repl/) because it serves the whole CLI: every
// command resolves its connection from --profile through it, not only the
// shell.
package config
