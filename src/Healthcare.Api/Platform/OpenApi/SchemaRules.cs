using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>
/// Makes schemas say what the API accepts and answers, where the generator's defaults do not:
/// <list type="bullet">
/// <item>a nullable member without <c>[Required]</c> may be left out (the generator marks every constructor
/// parameter of a record required, so clients would have to send explicit nulls);</item>
/// <item>members marked <see cref="OneOfAttribute"/> list their codes as <c>enum</c>;</item>
/// <item>times of day (<see cref="TimeOnly"/>, "08:30:00") get a pattern instead of <c>format: time</c>, which
/// requires an offset.</item>
/// </list>
/// </summary>
internal sealed class SchemaRules : IOpenApiSchemaTransformer
{
    public const string TimeOfDayPattern = @"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,7})?)?$";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(TimeOnly))
        {
            schema.Format = null;
            schema.Pattern = TimeOfDayPattern;
        }

        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(OneOfAttribute), inherit: true)
                .OfType<OneOfAttribute>().FirstOrDefault() is { } oneOf)
        {
            var codes = oneOf.Values.Select(code => (JsonNode?)JsonValue.Create(code));
            schema.Enum = [.. (IsNullable(context.JsonPropertyInfo) ? codes.Append(null) : codes).Select(code => code!)];
        }

        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Required is { Count: > 0 } required)
        {
            foreach (var property in context.JsonTypeInfo.Properties.Where(p => IsNullable(p) && !IsDeclaredRequired(p)))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsNullable(JsonPropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null || (!property.PropertyType.IsValueType && property.IsSetNullable);

    private static bool IsDeclaredRequired(JsonPropertyInfo property) =>
        property.IsRequired || property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
}
