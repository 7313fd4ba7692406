// A real OpenID provider standing in for ThaID in Kaset's tests: panva's oidc-provider (an
// OpenID Certified implementation) shaped like ThaID: a confidential client, PKCE required, and
// the person's national ID in the ID token's `pid` claim. Its development sign-in page takes any
// login (the national ID) and password.
//
//   node provider.mjs <port> <client id> <client secret> <redirect uri> [id tokens]
//
// `id tokens` makes the token endpoint misbehave as a broken or hostile provider would, with a
// token Kaset must refuse: `wrong-audience` (issued to another client), `expired` (an hour
// past), `other-key` (signed with a key the provider does not publish). Default: `honest`.
import Provider from 'oidc-provider';
import * as jose from 'jose';

const [port, clientId, clientSecret, redirectUri, idTokens = 'honest'] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const signingKey = async () => (await jose.generateKeyPair('RS256', { extractable: true })).privateKey;
const privateKey = await signingKey();
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'thaid-test', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  // ThaID puts the claims of the granted scopes in the ID token itself.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], pid: ['pid'] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, pid: id }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['kaset-tests-only'] },
});

// The faults: the ID token the token endpoint answers with, re-signed after a change.
provider.use(async (ctx, next) => {
  await next();
  if (idTokens === 'honest' || ctx.path !== '/token' || !ctx.body?.id_token) {
    return;
  }
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (idTokens === 'wrong-audience') {
    claims.aud = 'another-agency';
  } else if (idTokens === 'expired') {
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  } else if (idTokens === 'other-key') {
    key = await signingKey();
  }
  const idToken = await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
    .sign(key);
  ctx.body = { ...ctx.body, id_token: idToken };
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`ThaID stand-in at ${issuer}`));
