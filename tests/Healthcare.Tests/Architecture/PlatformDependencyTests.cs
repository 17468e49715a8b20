using System.Reflection;
using Healthcare.Api.Platform;

namespace Healthcare.Tests.Architecture;

/// <summary>The platform holds cross-cutting HTTP conventions only: features build on it, never the other way round.</summary>
public sealed class PlatformDependencyTests
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void NoPlatformTypeReferencesAFeatureType()
    {
        var platform = typeof(ApiPlatform).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(ApiPlatform).Namespace);

        var references = platform
            .SelectMany(type => ReferencedTypes(type).SelectMany(Unwrap).Where(IsFeature).Select(feature => $"{type.FullName} -> {feature.FullName}"))
            .Distinct()
            .ToList();

        Assert.NotEmpty(platform);
        Assert.Empty(references);
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        yield return type;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Declared))
        {
            yield return method.ReturnType;
            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }
        }

        foreach (var constructor in type.GetConstructors(Declared))
        {
            foreach (var parameter in constructor.GetParameters())
            {
                yield return parameter.ParameterType;
            }
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Value is Type named)
                {
                    yield return named;
                }
            }
        }
    }

    /// <summary>A type with its element type and generic arguments (<c>Page&lt;PatientDto&gt;[]</c> names PatientDto).</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return inner;
            }
        }
    }

    private static bool IsFeature(Type type) =>
        type.Namespace?.StartsWith("Healthcare.Api.Features", StringComparison.Ordinal) == true;
}
