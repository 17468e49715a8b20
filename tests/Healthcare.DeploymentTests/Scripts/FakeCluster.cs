namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// A stand-in <c>kubectl</c> first on PATH: it records every call, renders a fixed overlay, keeps Deployment
/// revisions, and fails the step named in FAKE_KUBECTL_FAIL (namespace, apply, migrate or rollout), so the deployment
/// scripts' decisions can be checked without a cluster.
/// </summary>
public sealed class FakeCluster : IDisposable
{
    private const string Kubectl = """
        #!/usr/bin/env bash
        set -euo pipefail
        dir="$FAKE_KUBECTL_DIR"
        printf '%s\n' "$*" >>"$dir/calls.log"
        args=()
        while (($# > 0)); do
            case "$1" in
                --namespace | --context) shift ;;
                *) args+=("$1") ;;
            esac
            shift
        done
        set -- "${args[@]}"
        fail="${FAKE_KUBECTL_FAIL:-}"
        revision() { cat "$dir/revision-$1" 2>/dev/null || echo 1; }
        bump() { [[ -e "$dir/unchanged-$1" ]] || echo $(($(revision "$1") + 1)) >"$dir/revision-$1"; }
        case "$1" in
            kustomize) cat "$dir/rendered.yaml" ;;
            get)
                case "$2:$*" in
                    namespace:*) [[ "$fail" != namespace ]] || { echo 'namespaces "healthcare-backend" not found' >&2; exit 1; } ;;
                    job/migrate:*) if [[ "$fail" == migrate ]]; then echo Failed=True; else echo Complete=True; fi ;;
                    deployment/*revision*) revision "${2#deployment/}" ;;
                    deployment/*spec.replicas*) cat "$dir/replicas-${2#deployment/}" 2>/dev/null || echo 2 ;;
                    hpa/api:*minReplicas*) echo 10 ;;
                    scaledobject/worker:*minReplicaCount*) echo 5 ;;
                    deployment/*image*) echo ghcr.io/acme/healthcare-backend@sha256:1111111111111111111111111111111111111111111111111111111111111111 ;;
                esac
                ;;
            delete | logs | set | scale) ;;
            apply)
                [[ "$fail" != apply ]] || { echo "admission webhook refused" >&2; exit 1; }
                n="$(find "$dir" -name 'applied-*.yaml' | wc -l)"
                cp "$3" "$dir/applied-$n.yaml"
                if grep -q '^kind: Deployment' "$3"; then bump api; bump worker; fi
                ;;
            rollout)
                case "$2" in
                    status) [[ "$fail" != rollout || -e "$dir/undone" || "$3" != deployment/api ]] || { echo "deadline exceeded" >&2; exit 1; } ;;
                    undo) touch "$dir/undone"; bump "${3#deployment/}" ;;
                esac
                ;;
            *) echo "fake kubectl: unexpected call: $*" >&2; exit 1 ;;
        esac
        """;

    /// <summary>What `kubectl kustomize` of the overlay gives: two Deployments, the migration Job, other objects.</summary>
    private const string Rendered = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: healthcare-config
          namespace: healthcare-backend
        data:
          LOG_LEVEL: info
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
          namespace: healthcare-backend
        spec:
          template:
            spec:
              containers:
                - name: migrate
                  image: ghcr.io/example/healthcare-backend:latest
                  args: ["/app/api/Healthcare.Api.dll", "migrate"]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: healthcare-backend
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: "healthcare-backend"
                - name: log-shipper
                  image: docker.io/library/busybox:1.36
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: worker
          namespace: healthcare-backend
        spec:
          template:
            spec:
              containers:
                - image: healthcare-backend:1.0
                  name: worker
        """;

    public FakeCluster()
    {
        Directory.CreateDirectory(BinDirectory);
        Directory.CreateDirectory(StateDirectory);
        Directory.CreateDirectory(Path.Combine(OverlaysDirectory, "staging"));
        Directory.CreateDirectory(Path.Combine(OverlaysDirectory, "production"));
        File.WriteAllText(Path.Combine(OverlaysDirectory, "staging", "kustomization.yaml"), "resources: []\n");
        File.WriteAllText(Path.Combine(OverlaysDirectory, "production", "kustomization.yaml"), "resources: []\n");
        File.WriteAllText(Path.Combine(StateDirectory, "rendered.yaml"), Rendered + "\n");
        var kubectl = Path.Combine(BinDirectory, "kubectl");
        File.WriteAllText(kubectl, Kubectl.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(kubectl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("hb-fake-cluster-").FullName;

    public string BinDirectory => Path.Combine(Root, "bin");

    public string StateDirectory => Path.Combine(Root, "state");

    public string OverlaysDirectory => Path.Combine(Root, "overlays");

    public string StateFile => Path.Combine(Root, "deploy-state");

    /// <summary>Every kubectl call, one line each, in order.</summary>
    public IReadOnlyList<string> Calls =>
        File.Exists(Path.Combine(StateDirectory, "calls.log")) ? File.ReadAllLines(Path.Combine(StateDirectory, "calls.log")) : [];

    /// <summary>The manifests passed to `kubectl apply`, in order.</summary>
    public IReadOnlyList<string> Applied => Directory.GetFiles(StateDirectory, "applied-*.yaml")
        .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["applied-".Length..], System.Globalization.CultureInfo.InvariantCulture))
        .Select(File.ReadAllText)
        .ToList();

    /// <summary>Adds a document to what `kubectl kustomize` of the overlay gives.</summary>
    public void AddToRelease(string document) =>
        File.AppendAllText(Path.Combine(StateDirectory, "rendered.yaml"), "---\n" + document.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");

    /// <summary>Applying the release leaves this Deployment's template, so its revision, as it was.</summary>
    public void KeepUnchanged(string deployment) => File.WriteAllText(Path.Combine(StateDirectory, $"unchanged-{deployment}"), "");

    /// <summary>The replica count `kubectl get` reports for a Deployment (2 unless set here).</summary>
    public void SetReplicas(string deployment, int replicas) =>
        File.WriteAllText(Path.Combine(StateDirectory, $"replicas-{deployment}"), replicas.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");

    public Dictionary<string, string?> Environment(string? fail = null) => new()
    {
        ["PATH"] = BinDirectory + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        ["FAKE_KUBECTL_DIR"] = StateDirectory,
        ["FAKE_KUBECTL_FAIL"] = fail,
        ["DEPLOY_POLL_SECONDS"] = "0",
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
