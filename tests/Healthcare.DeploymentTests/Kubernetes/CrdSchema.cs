using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The openAPIV3Schema of one served version of a CustomResourceDefinition, checked the way the API server checks a
/// structural schema on a strict apply: types (YAML 1.1 scalars, as Kubernetes reads them: a plain <c>Off</c> is a
/// boolean), unknown fields, required fields, enums, patterns, minimums, items and map values. CEL rules
/// (x-kubernetes-validations) and formats are not evaluated.
/// </summary>
public sealed partial class CrdSchema
{
    private readonly YamlMappingNode _root;

    private CrdSchema(string source, YamlMappingNode root)
    {
        Source = source;
        _root = root;
    }

    /// <summary>Where the CRD came from, relative to the repository root.</summary>
    public string Source { get; }

    /// <summary>The schema of <paramref name="kind"/> in <paramref name="apiVersion"/> (group/version) from a CRD file of the repository.</summary>
    public static CrdSchema Load(string relativePath, string apiVersion, string kind)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, relativePath))));
        var (group, version) = (apiVersion.Split('/')[0], apiVersion.Split('/')[1]);
        foreach (var document in stream.Documents)
        {
            var crd = new ManifestObject("", "", "", null, "", (YamlMappingNode)document.RootNode);
            if (crd.Scalar("kind") != "CustomResourceDefinition" || crd.Scalar("spec.group") != group || crd.Scalar("spec.names.kind") != kind)
            {
                continue;
            }

            foreach (var served in ((YamlSequenceNode)crd.At("spec.versions")!).Children.Cast<YamlMappingNode>())
            {
                var entry = new ManifestObject("", "", "", null, "", served);
                if (entry.Scalar("name") == version && entry.Scalar("served") == "true")
                {
                    return new CrdSchema(relativePath, (YamlMappingNode)entry.At("schema.openAPIV3Schema")!);
                }
            }
        }

        throw new KeyNotFoundException($"{relativePath} serves no {kind} in {apiVersion}");
    }

    /// <summary>Every way <paramref name="item"/> breaks the schema, one line each (empty when it is valid).</summary>
    public IReadOnlyList<string> Validate(YamlMappingNode item)
    {
        var errors = new List<string>();
        Check(_root, item, "", errors);
        return errors;
    }

    private static void Check(YamlMappingNode schema, YamlNode value, string path, List<string> errors)
    {
        var at = path.Length == 0 ? "the object" : path;
        if (Flag(schema, "x-kubernetes-int-or-string"))
        {
            if (!(value is YamlScalarNode s && (TypeOf(s) is "integer" or "string")))
            {
                errors.Add($"{at}: must be an integer or a string");
            }
            else if (TypeOf(s) == "string" && Text(schema, "pattern") is { } intOrStringPattern && !Regex.IsMatch(s.Value!, intOrStringPattern))
            {
                errors.Add($"{at}: '{s.Value}' does not match {intOrStringPattern}");
            }

            return;
        }

        if (Child(schema, "anyOf") is YamlSequenceNode anyOf)
        {
            var alternatives = anyOf.Children.Cast<YamlMappingNode>().Select(alternative =>
            {
                var found = new List<string>();
                Check(alternative, value, path, found);
                return found;
            }).ToList();
            if (alternatives.All(found => found.Count > 0))
            {
                errors.Add($"{at}: matches none of anyOf ({string.Join("; ", alternatives.Select(f => f[0]))})");
            }
        }

        var type = Text(schema, "type");
        switch (type)
        {
            case "object":
                if (value is not YamlMappingNode map)
                {
                    errors.Add($"{at}: must be an object");
                    return;
                }

                CheckObject(schema, map, path, errors);
                break;
            case "array":
                if (value is not YamlSequenceNode list)
                {
                    errors.Add($"{at}: must be an array");
                    return;
                }

                if (Child(schema, "items") is YamlMappingNode items)
                {
                    for (var i = 0; i < list.Children.Count; i++)
                    {
                        Check(items, list.Children[i], $"{path}[{i}]", errors);
                    }
                }

                break;
            case "string" or "integer" or "number" or "boolean":
                if (value is not YamlScalarNode scalar || !(TypeOf(scalar) == type || (type == "number" && TypeOf(scalar) == "integer")))
                {
                    errors.Add($"{at}: must be a {type}{(value is YamlScalarNode s ? $", not the {TypeOf(s)} {s.Value}" : "")}");
                    return;
                }

                CheckScalar(schema, scalar, at, errors);
                break;
            case null:
                break;
            default:
                throw new NotSupportedException($"schema type {type} at {at}");
        }
    }

    private static void CheckObject(YamlMappingNode schema, YamlMappingNode map, string path, List<string> errors)
    {
        var properties = Child(schema, "properties") as YamlMappingNode;
        var additional = Child(schema, "additionalProperties") as YamlMappingNode;
        var open = Flag(schema, "x-kubernetes-preserve-unknown-fields") || (properties is null && additional is null);
        foreach (var (key, child) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            if (properties?.Children.TryGetValue(new YamlScalarNode(name), out var property) == true)
            {
                Check((YamlMappingNode)property, child, childPath, errors);
            }
            else if (additional is not null)
            {
                Check(additional, child, childPath, errors);
            }
            else if (!open)
            {
                errors.Add($"{childPath}: unknown field");
            }
        }

        foreach (var required in (Child(schema, "required") as YamlSequenceNode)?.Children.Cast<YamlScalarNode>() ?? [])
        {
            if (!map.Children.ContainsKey(new YamlScalarNode(required.Value!)))
            {
                errors.Add($"{(path.Length == 0 ? "" : path + ".")}{required.Value}: required");
            }
        }
    }

    private static void CheckScalar(YamlMappingNode schema, YamlScalarNode scalar, string at, List<string> errors)
    {
        if (Child(schema, "enum") is YamlSequenceNode allowed && !allowed.Children.Cast<YamlScalarNode>().Any(a => a.Value == scalar.Value && TypeOf(a) == TypeOf(scalar)))
        {
            errors.Add($"{at}: '{scalar.Value}' is not one of {string.Join(", ", allowed.Children.Cast<YamlScalarNode>().Select(a => a.Value))}");
        }

        if (Text(schema, "pattern") is { } pattern && !Regex.IsMatch(scalar.Value!, pattern))
        {
            errors.Add($"{at}: '{scalar.Value}' does not match {pattern}");
        }

        if (Text(schema, "minimum") is { } minimum && decimal.Parse(scalar.Value!, CultureInfo.InvariantCulture) < decimal.Parse(minimum, CultureInfo.InvariantCulture))
        {
            errors.Add($"{at}: {scalar.Value} is below the minimum {minimum}");
        }
    }

    /// <summary>The JSON type Kubernetes reads a YAML scalar as (sigs.k8s.io/yaml follows YAML 1.1 for plain scalars).</summary>
    public static string TypeOf(YamlScalarNode scalar)
    {
        if (scalar.Style is not ScalarStyle.Plain and not ScalarStyle.Any)
        {
            return "string";
        }

        var value = scalar.Value ?? "";
        return value switch
        {
            _ when YamlBoolean().IsMatch(value) => "boolean",
            _ when YamlNull().IsMatch(value) => "null",
            _ when YamlInteger().IsMatch(value) => "integer",
            _ when YamlFloat().IsMatch(value) => "number",
            _ => "string",
        };
    }

    private static YamlNode? Child(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Text(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    private static bool Flag(YamlMappingNode map, string key) => Text(map, key) == "true";

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex YamlBoolean();

    [GeneratedRegex("^(~|null|Null|NULL|)$")]
    private static partial Regex YamlNull();

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex YamlInteger();

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?$")]
    private static partial Regex YamlFloat();
}
