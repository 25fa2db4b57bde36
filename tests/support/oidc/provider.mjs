// A real OpenID Connect provider (the npm package oidc-provider) on loopback, for tests only.
//
//   node tests/support/oidc/provider.mjs CONFIG.json
//
// CONFIG: {"port": 0, "clients": [{client_id, client_secret, redirect_uris, code_ttl?}],
//          "accounts": {"<sub>": {claims...}}}
// Prints one line "listening <issuer>" when it serves. PKCE (S256) is required of every client.
// The interaction is a minimal login form (an account name, a "Cancel" button that answers
// access_denied); consent is given without asking, as an organisation's own provider does for
// its own applications.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'loopback-1', use: 'sig', alg: 'RS256' };
const codeTtl = Object.fromEntries(config.clients.map((c) => [c.client_id, c.code_ttl ?? 60]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

async function start(port) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map(({ code_ttl: _ttl, ...client }) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
      ...client,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups', 'national_id'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      national_id: ['national_id'],
    },
    // scope claims in the ID token itself: the relying party reads them from there
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AuthorizationCode: (_ctx, code) => codeTtl[code.clientId] ?? 60 },
    async findAccount(_ctx, sub) {
      const claims = config.accounts[sub];
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
  });
  const callback = provider.callback();

  async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return page(res, 400, 'Unknown interaction', '');
    const { prompt, params } = details;
    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'The user cancelled the sign-in',
      }, { mergeWithLastSubmission: false });
    }
    if (prompt.name === 'consent') {
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      grant.addOIDCScope(String(params.scope));
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (action === 'login') {
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      if (!config.accounts[login]) {
        return page(res, 400, 'Sign in to the test provider', '<p>Unknown account.</p>');
      }
      return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    }
    return page(res, 200, 'Sign in to the test provider', `
      <form method="post" action="/interaction/${escape(uid)}/login">
        <label for="login">Account</label> <input id="login" name="login" autocomplete="off">
        <button type="submit" id="sign-in">Sign in</button>
      </form>
      <form method="post" action="/interaction/${escape(uid)}/abort">
        <button type="submit" id="cancel">Cancel</button>
      </form>`);
  }

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(req.url.split('?')[0]);
    if (!match) return callback(req, res);
    return interaction(req, res, match[1], match[2]).catch((error) => {
      page(res, 400, 'Interaction failed', `<p>${escape(error.message)}</p>`);
    });
  });
  process.stdout.write(`listening ${issuer}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await start(config.port ?? 0);
