using System.Reflection;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>One object of a rendered kustomization: its identity, its YAML, and a generic node for custom resources.</summary>
public sealed record ManifestObject(string ApiVersion, string Kind, string Name, string? Namespace, string Yaml, YamlMappingNode Node)
{
    public string Id => $"{Kind}/{Name}";

    public override string ToString() => Id;

    /// <summary>The value at a dotted path such as <c>spec.cluster.name</c>, or null.</summary>
    public YamlNode? At(string path)
    {
        YamlNode? node = Node;
        foreach (var part in path.Split('.'))
        {
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(part), out var child) ? child : null;
        }

        return node;
    }

    public string? Scalar(string path) => (At(path) as YamlScalarNode)?.Value;
}

/// <summary>
/// A rendered kustomization. Built-in objects are read into the official Kubernetes client models in strict mode:
/// a field the Kubernetes API does not know is an error, as it would be for the API server.
/// </summary>
public sealed partial class Manifest
{
    private static readonly Dictionary<string, Type> BuiltInTypes = typeof(V1Pod).Assembly.GetTypes()
        .Select(type => (type, entity: type.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(x => x.entity is not null && !string.IsNullOrEmpty(x.entity.Kind) && x.type.Name.StartsWith('V'))
        .GroupBy(x => ApiVersionOf(x.entity!) + "/" + x.entity!.Kind)
        .ToDictionary(g => g.Key, g => g.First().type, StringComparer.Ordinal);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ManifestObject, object> StrictModels = [];

    private Manifest(string source, IReadOnlyList<ManifestObject> objects)
    {
        Source = source;
        Objects = objects;
    }

    /// <summary>Folder it was rendered from, relative to the repository root.</summary>
    public string Source { get; }

    public IReadOnlyList<ManifestObject> Objects { get; }

    public static bool IsBuiltIn(ManifestObject item) => BuiltInTypes.ContainsKey(item.ApiVersion + "/" + item.Kind);

    public static Manifest Parse(string yaml, string source)
    {
        var objects = new List<ManifestObject>();
        // kubectl kustomize separates documents with a line "---"; each chunk is kept verbatim for the strict reader.
        foreach (var chunk in DocumentSeparator().Split(yaml))
        {
            if (string.IsNullOrWhiteSpace(chunk))
            {
                continue;
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(chunk));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new InvalidDataException($"{source}: a rendered document is not one YAML mapping");
            }

            var probe = new ManifestObject("", "", "", null, "", root);
            objects.Add(new ManifestObject(
                probe.Scalar("apiVersion") ?? throw new InvalidDataException($"{source}: an object without apiVersion"),
                probe.Scalar("kind") ?? throw new InvalidDataException($"{source}: an object without kind"),
                probe.Scalar("metadata.name") ?? throw new InvalidDataException($"{source}: an object without a name"),
                probe.Scalar("metadata.namespace"),
                chunk,
                root));
        }

        return new Manifest(source, objects);
    }

    /// <summary>The API group and plural resource name of a built-in object (what RBAC rules name), or null for a custom resource.</summary>
    public static (string Group, string Resource)? BuiltInResource(ManifestObject item) =>
        BuiltInTypes.TryGetValue(item.ApiVersion + "/" + item.Kind, out var type) && type.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity
            ? (entity.Group ?? "", entity.PluralName)
            : null;

    /// <summary>Reads a built-in object into its client model, failing on any unknown field.</summary>
    public static object ReadStrict(ManifestObject item)
    {
        if (!BuiltInTypes.TryGetValue(item.ApiVersion + "/" + item.Kind, out var type))
        {
            throw new InvalidOperationException($"{item.Id}: {item.ApiVersion} {item.Kind} is not a built-in Kubernetes type");
        }

        // Read once per object; the tests only read the models.
        return StrictModels.GetValue(item, _ =>
        {
            var map = new Dictionary<string, Type> { [item.ApiVersion + "/" + item.Kind] = type };
            return KubernetesYaml.LoadAllFromString(item.Yaml, map, strict: true).Single();
        });
    }

    public IEnumerable<ManifestObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public ManifestObject Require(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name) ?? throw new KeyNotFoundException($"{Source} has no {kind}/{name}");

    public ManifestObject? Find(string kind, string name) => Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name);

    /// <summary>Every object of model type <typeparamref name="T"/>, read strictly.</summary>
    public IReadOnlyList<T> All<T>()
        where T : IKubernetesObject
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()!;
        return Objects.Where(o => o.Kind == entity.Kind && o.ApiVersion == ApiVersionOf(entity)).Select(o => (T)ReadStrict(o)).ToList();
    }

    public T Get<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var items = All<T>().Where(o => o.Metadata.Name == name).ToList();
        return items.Count == 1 ? items[0] : throw new KeyNotFoundException($"{Source} has {items.Count} {typeof(T).Name} named {name}");
    }

    /// <summary>Every pod template (Deployments, StatefulSets, Jobs, CronJobs) with the object that owns it.</summary>
    public IReadOnlyList<Workload> Workloads()
    {
        var workloads = new List<Workload>();
        workloads.AddRange(All<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Spec.Template, d.Spec.Replicas)));
        workloads.AddRange(All<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Spec.Template, s.Spec.Replicas)));
        workloads.AddRange(All<V1Job>().Select(j => new Workload("Job", j.Metadata.Name, j.Spec.Template, null)));
        workloads.AddRange(All<V1CronJob>().Select(c => new Workload("CronJob", c.Metadata.Name, c.Spec.JobTemplate.Spec.Template, null)));
        return workloads;
    }

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    private static string ApiVersionOf(KubernetesEntityAttribute entity) =>
        string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : entity.Group + "/" + entity.ApiVersion;
}

/// <summary>A pod template and the object that owns it.</summary>
public sealed record Workload(string Kind, string Name, V1PodTemplateSpec Template, int? Replicas)
{
    public bool LongRunning => Kind is "Deployment" or "StatefulSet";

    public IDictionary<string, string> PodLabels => Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public IEnumerable<V1Container> AllContainers => Template.Spec.Containers.Concat(Template.Spec.InitContainers ?? []);

    public override string ToString() => $"{Kind}/{Name}";
}
