#!/usr/bin/env bash
# Refreshes the API's committed contract (route table and OpenAPI document, read from a running API by
# ContractSnapshotTests) and regenerates the SDKs from that document. This is what `make clients` does.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/clients.sh [-h|--help]

  1. runs ContractSnapshotTests with UPDATE_CONTRACT=1 (temporary PostgreSQL and Redis, as make test),
     which rewrites tests/Healthcare.IntegrationTests/Platform/Contract/{routes.txt,openapi.v1.json};
  2. regenerates the SDKs from that document: clients/typescript/src/schema.ts (openapi-typescript) and
     clients/dotnet/src/HealthcareBackend.Client/Generated (Kiota, a local dotnet tool).

Review and commit the diff; make test fails while the SDK sources are out of date.
EOF_USAGE
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        echo "clients.sh: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
esac

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
contract="$repo_root/tests/Healthcare.IntegrationTests/Platform/Contract/openapi.v1.json"

"$script_dir/node-tools.sh"
UPDATE_CONTRACT=1 "$script_dir/test.sh" -- --filter "FullyQualifiedName~ContractSnapshotTests"
(cd "$repo_root/clients/typescript" && node_modules/.bin/openapi-typescript "$contract" -o src/schema.ts)
# The same options as the tests' DotNetSdk.GenerateAsync; relative paths keep kiota-lock.json free of this checkout's location.
(cd "$repo_root" && dotnet tool restore >/dev/null && dotnet tool run kiota generate --language CSharp \
    --openapi tests/Healthcare.IntegrationTests/Platform/Contract/openapi.v1.json \
    --class-name HealthcareApiClient --namespace-name HealthcareBackend.Client \
    --output clients/dotnet/src/HealthcareBackend.Client/Generated \
    --exclude-backward-compatible --clean-output --log-level Warning)
echo "clients.sh: contract and SDK sources regenerated; review with: git diff -- tests/Healthcare.IntegrationTests/Platform/Contract clients"
