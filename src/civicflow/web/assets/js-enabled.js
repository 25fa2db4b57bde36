// GOV.UK Frontend's template sets these body classes with an inline <script>; this is the same
// line as a file, loaded first thing in <body>, so the Content-Security-Policy can forbid inline
// scripts. Components only initialise where ES modules work ('noModule' in the prototype).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
