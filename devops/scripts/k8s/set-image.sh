#!/usr/bin/env bash
# Pins the image of a Kubernetes overlay to one digest CI pushed (`make k8s-image`), so that
# `kubectl apply -k devops/kubernetes/overlays/OVERLAY/` deploys exactly that build. What
# `kustomize edit set image` does, without needing the kustomize binary: the `healthcare-backend`
# entry under `images:` of the overlay's kustomization.yaml gets `digest:` in place of its tag.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/k8s/set-image.sh [-h|--help] [--overlays-dir DIR] OVERLAY DIGEST

  OVERLAY  staging or production (a folder of devops/kubernetes/overlays with an images entry
           named healthcare-backend)
  DIGEST   sha256:<64 hex digits>, as CI's "Build and push" step prints it, or as
           `docker buildx imagetools inspect ghcr.io/OWNER/healthcare-backend:sha-COMMIT` shows it

The repository stays the overlay's (newName); review the change with git diff, then apply.
EOF_USAGE
}

overlays_dir=""
positional=()
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --overlays-dir)
            overlays_dir="${2:?--overlays-dir needs a folder}"
            shift
            ;;
        -*)
            echo "set-image.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *) positional+=("$1") ;;
    esac
    shift
done
if ((${#positional[@]} != 2)); then
    echo "set-image.sh: expected OVERLAY and DIGEST (see --help)" >&2
    exit 2
fi
overlay="${positional[0]}"
digest="${positional[1]}"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
overlays_dir="${overlays_dir:-$script_dir/../../kubernetes/overlays}"
file="$overlays_dir/$overlay/kustomization.yaml"
if [[ ! "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "set-image.sh: '$digest' is not a digest (sha256: and 64 lower-case hex digits)" >&2
    exit 2
fi
if [[ ! -f "$file" ]]; then
    echo "set-image.sh: no overlay '$overlay' ($file not found)" >&2
    exit 2
fi

# Inside the images entry named healthcare-backend: drop newTag/digest lines, add the digest after newName.
tmp="$(mktemp "$file.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
awk -v digest="$digest" '
    function leave() { if (inside && !written) { print indent "digest: " digest; written = 1 } inside = 0 }
    /^[^ #]/ { leave(); images = 0 }
    /^images:/ { images = 1; print; next }
    images && /^  - name:[[:space:]]*healthcare-backend[[:space:]]*$/ { inside = 1; indent = "    "; print; next }
    images && /^  - / { leave() }
    inside && /^    (newTag|digest):/ { next }
    inside && /^    newName:/ { print; print indent "digest: " digest; written = 1; next }
    { print }
    END { leave(); if (!written) exit 3 }
' "$file" >"$tmp" || {
    echo "set-image.sh: $file has no images entry named healthcare-backend with a newName" >&2
    exit 1
}
mv "$tmp" "$file"
trap - EXIT
echo "set-image.sh: $overlay now deploys $(sed -n 's/^    newName:[[:space:]]*//p' "$file" | head -n 1)@$digest"
