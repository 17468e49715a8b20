// SMART Backend Services as a third-party system runs it, with the `jose` library: discover the token endpoint,
// sign a client assertion (private_key_jwt), get a system token, read with it, and run a Bulk Data $export to
// completion, saving every NDJSON file. The test suite validates the saved resources afterwards.
//
// Environment: HB_FHIR_URL (the FHIR base), HB_CLIENT_ID, HB_PRIVATE_JWK (a file holding the private JWK, with kid
// and alg), HB_SCOPE, HB_GROUP_ID (the clinic id to export), HB_EXPORT_DIR (where the NDJSON files go).
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importJWK, SignJWT } from "jose";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const fhir = env("HB_FHIR_URL").replace(/\/$/, "");
const clientId = env("HB_CLIENT_ID");
const jwk = JSON.parse(readFileSync(env("HB_PRIVATE_JWK"), "utf8"));
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};

const configuration = await (await fetch(`${fhir}/.well-known/smart-configuration`)).json();
check(configuration.token_endpoint_auth_methods_supported?.includes("private_key_jwt"), "private_key_jwt is not advertised");
check(configuration.token_endpoint_auth_signing_alg_values_supported?.includes(jwk.alg), `${jwk.alg} is not advertised`);

const key = await importJWK(jwk, jwk.alg);
const assertion = await new SignJWT({})
  .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "JWT" })
  .setIssuer(clientId)
  .setSubject(clientId)
  .setAudience(configuration.token_endpoint)
  .setJti(randomUUID())
  .setIssuedAt()
  .setExpirationTime("4m")
  .sign(key);
const tokenRequest = () =>
  fetch(configuration.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope: env("HB_SCOPE"),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    }),
  });

const tokenAnswer = await tokenRequest();
const token = await tokenAnswer.json();
check(tokenAnswer.status === 200, `token request: ${tokenAnswer.status} ${JSON.stringify(token)}`);
check(token.token_type === "Bearer" && token.expires_in <= 300, `unexpected token answer ${JSON.stringify(token)}`);
const replay = await tokenRequest();
check(replay.status >= 400 && (await replay.json()).error === "invalid_client", `a replayed assertion answered ${replay.status}`);

const authorized = { authorization: `Bearer ${token.access_token}` };
const patients = await fetch(`${fhir}/Patient?_count=5`, { headers: { ...authorized, accept: "application/fhir+json" } });
check(patients.status === 200, `Patient search: ${patients.status}`);
const bundle = await patients.json();
check(bundle.resourceType === "Bundle", "Patient search did not answer a Bundle");

const summary = { scope: token.scope, patientsOnFirstPage: (bundle.entry ?? []).length, files: [] };
if (process.env.HB_GROUP_ID) {
  const kickOff = await fetch(`${fhir}/Group/${process.env.HB_GROUP_ID}/$export`, {
    headers: { ...authorized, accept: "application/fhir+json", prefer: "respond-async" },
  });
  check(kickOff.status === 202, `$export kick-off: ${kickOff.status} ${await kickOff.text()}`);
  const status = kickOff.headers.get("content-location");
  let manifest;
  for (let attempt = 0; attempt < 600 && !manifest; attempt++) {
    const poll = await fetch(status, { headers: authorized });
    if (poll.status === 200) {
      manifest = await poll.json();
    } else {
      check(poll.status === 202, `$export status: ${poll.status} ${await poll.text()}`);
      const wait = Math.min(Number(poll.headers.get("retry-after") ?? "1"), 2);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
  check(manifest, "the export did not finish");
  check(manifest.requiresAccessToken === true, "the manifest does not require the access token");
  const directory = env("HB_EXPORT_DIR");
  mkdirSync(directory, { recursive: true });
  for (const [index, output] of manifest.output.entries()) {
    const file = await fetch(output.url, { headers: authorized });
    check(file.status === 200, `download of ${output.type}: ${file.status}`);
    const text = await file.text();
    const lines = text.split("\n").filter((line) => line.length > 0);
    for (const line of lines) {
      check(JSON.parse(line).resourceType === output.type, `a line of the ${output.type} file is another type`);
    }
    const name = `${String(index).padStart(3, "0")}-${output.type}.ndjson`;
    writeFileSync(join(directory, name), text);
    summary.files.push({ type: output.type, lines: lines.length, name });
  }
  const unauthorized = await fetch(manifest.output[0].url);
  check(unauthorized.status === 401, `a download without the token answered ${unauthorized.status}`);
}

console.log(JSON.stringify(summary));
console.log("backend services scenario passed");
