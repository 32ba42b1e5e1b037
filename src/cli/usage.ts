export const USAGE = `Usage: ecpay <command> [options]

Commands:
  checkmac   JSON object of parameters on stdin → prints the CheckMacValue
  verify     JSON object with CheckMacValue on stdin → exit 0 if valid, 1 if not
  encrypt    JSON on stdin → prints the AES Data
  decrypt    AES Data on stdin → prints the JSON
  sandbox    runs a local stand-in for ECPay (AioCheckOut, payment page, notifications, queries) until Ctrl+C
  events     an app's notification events: list [--status s] [--limit n], show <id>, redrive <id>
  actions    capture/refund/void actions of unknown outcome: list, resolve <id> --outcome succeeded|failed

Keys (checkmac, verify, encrypt, decrypt):
  --hash-key <key>   HashKey (default: $ECPAY_HASH_KEY)
  --hash-iv <iv>     HashIV (default: $ECPAY_HASH_IV; not needed with --gcm)
  Prefer the environment variables: command-line arguments end up in shell history.

checkmac / verify:
  --md5              MD5 instead of SHA256 (logistics, some e-invoice APIs)
  --sha256           verify only: force SHA256 (default: chosen by the CheckMacValue's length)
  --json-mac         the ticketing APIs' MAC over a JSON text (stdin: the JSON plaintext; verify: also --mac)
  --mac <value>      verify --json-mac: the CheckMacValue to check
  --explain          checkmac: also print the encoded string that is hashed to stderr (HashKey/HashIV masked)

encrypt / decrypt:
  --php              encrypt: re-serialise the JSON like ECPay's PHP SDK (\\/ and \\uXXXX) for byte-identical Data;
                     default: encrypt the JSON text exactly as given
  --raw              decrypt: print the decrypted JSON text as it is (default: normalised JSON)
  --gcm              AES-128-GCM (e-receipts) instead of AES-128-CBC
  --iv-hex <hex>     encrypt --gcm: a fixed 12-byte IV (tests only; default: random)

sandbox:
  --port <n>         port to listen on (default 4010; 0 picks a free one)
  --host <addr>      interface to listen on (default 127.0.0.1)
  --merchant <id>:<hashKey>:<hashIv>
                     a merchant the sandbox accepts; repeat for several
                     (default: ECPay's public stage merchant 3002607)

events / actions (on the app's database; never migrates or creates tables):
  --url <url>        postgres://…, mysql://…, mariadb://… (read as timezone 'Z') or a SQLite file's path
                     (default: $ECPAY_DATABASE_URL)
  -d, --data-source <file>
                     a JS file exporting the app's TypeORM DataSource (as the TypeORM CLI takes it)
  --status <s>       events list: failed (parked), pending, done or none
  --limit <n>        events list: at most n, newest first (1–500, default 50)
  --json             list / show / resolve: JSON instead of text
  --outcome <o>      actions resolve: succeeded or failed, as ECPay's back office or a query says
  events redrive only marks the event pending with a fresh attempt budget: the running app's dispatcher delivers it.

Exit codes: 0 ok, 1 invalid / failed, 2 usage error.
`;
