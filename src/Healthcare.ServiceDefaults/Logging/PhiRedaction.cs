using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Serilog.Core;
using Serilog.Events;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// Keeps patient data out of every log output (stdout and the stored log): a property whose name says it carries
/// patient data is replaced by <see cref="Marker"/>, at any depth of a structured value, before any sink sees the
/// event, so the rendered message is redacted too. Message templates must still never put such values under other
/// names; this policy is the net under that rule, not a licence to log PHI.
/// </summary>
public sealed class PhiRedaction : ILogEventEnricher
{
    public const string Marker = "[redacted]";

    private static readonly ScalarValue Redacted = new(Marker);

    /// <summary>Properties set by the platform and the framework, whose parts are never patient data.</summary>
    private static readonly FrozenSet<string> Platform = new[] { "EventId", "SourceContext", "RequestId", "Application", "ConnectionId" }
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Property names (compared without case, '_', '-' and '.') that carry patient data.</summary>
    private static readonly FrozenSet<string> Names = new[]
    {
        "name", "patient", "patientname", "givenname", "familyname", "firstname", "lastname", "middlename", "fullname",
        "displayname", "preferredname", "dateofbirth", "dob", "birthdate", "birthday", "sex", "gender", "email",
        "emailaddress", "phone", "phonenumber", "mobile", "address", "street", "line1", "line2", "city", "postalcode",
        "zip", "zipcode", "ssn", "nationalid", "insurancememberid", "memberid", "insurername", "mrn",
        "medicalrecordnumber", "note", "notes", "body", "text", "content", "reason", "diagnosis", "description",
        "comment", "allergy", "substance", "reaction", "medication", "dosage", "problem", "emergencycontacts",
        "emergencycontact", "amendment", "vitals", "password", "mfacode", "code", "recoverycode", "token",
        "refreshtoken", "accesstoken", "secret",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Endings that mark patient data whatever comes before them (<c>PatientEmail</c>, <c>ContactPhone</c>).</summary>
    private static readonly string[] Endings =
    [
        "dateofbirth", "birthdate", "email", "emailaddress", "phone", "phonenumber", "ssn", "nationalid", "givenname",
        "familyname", "firstname", "lastname", "fullname", "patientname", "address", "notebody", "notetext", "password",
    ];

    /// <summary>Framework sources that log only their own settings (listening addresses, content root).</summary>
    private static readonly FrozenSet<string> TrustedSources = new[] { "Microsoft.Hosting.Lifetime" }.ToFrozenSet(StringComparer.Ordinal);

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string sourceName } &&
            TrustedSources.Contains(sourceName))
        {
            return;
        }

        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Platform.Contains(name))
            {
                continue;
            }

            var redacted = IsPhi(name) ? Redacted : Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                (changed ??= []).Add(new LogEventProperty(name, redacted));
            }
        }

        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>Property names repeat endlessly; each is classified once (the set of names a program logs is small).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Classified = new(StringComparer.Ordinal);

    /// <summary>True for a property name that carries patient data.</summary>
    public static bool IsPhi(string propertyName)
    {
        if (Classified.TryGetValue(propertyName, out var known))
        {
            return known;
        }

        var phi = Classify(propertyName);
        if (Classified.Count < 10_000)
        {
            Classified.TryAdd(propertyName, phi);
        }

        return phi;
    }

    private static bool Classify(string propertyName)
    {
        Span<char> buffer = stackalloc char[Math.Min(propertyName.Length, 128)];
        var length = 0;
        foreach (var c in propertyName)
        {
            if (length == buffer.Length)
            {
                break;
            }

            if (char.IsLetterOrDigit(c))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        var normalized = new string(buffer[..length]);
        if (Names.Contains(normalized))
        {
            return true;
        }

        foreach (var ending in Endings)
        {
            if (normalized.EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value with patient data inside it replaced; the same instance when there was none.</summary>
    private static LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case StructureValue structure:
                {
                    var properties = structure.Properties.ToArray();
                    var any = false;
                    for (var i = 0; i < properties.Length; i++)
                    {
                        var inner = IsPhi(properties[i].Name) ? Redacted : Redact(properties[i].Value);
                        if (!ReferenceEquals(inner, properties[i].Value))
                        {
                            properties[i] = new LogEventProperty(properties[i].Name, inner);
                            any = true;
                        }
                    }

                    return any ? new StructureValue(properties, structure.TypeTag) : value;
                }

            case SequenceValue sequence:
                {
                    var elements = sequence.Elements.ToArray();
                    var any = false;
                    for (var i = 0; i < elements.Length; i++)
                    {
                        var inner = Redact(elements[i]);
                        any |= !ReferenceEquals(inner, elements[i]);
                        elements[i] = inner;
                    }

                    return any ? new SequenceValue(elements) : value;
                }

            case DictionaryValue dictionary:
                {
                    var any = false;
                    var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Elements.Count);
                    foreach (var (key, inner) in dictionary.Elements)
                    {
                        var redacted = key.Value is string name && IsPhi(name) ? Redacted : Redact(inner);
                        any |= !ReferenceEquals(redacted, inner);
                        entries.Add(new(key, redacted));
                    }

                    return any ? new DictionaryValue(entries) : value;
                }

            case ScalarValue { Value: { } scalar } when ApplicationTypesAsIdOnly.IsApplicationType(scalar.GetType()):
                // Logged without @: it would be written with ToString(), which for a record lists every field.
                return ApplicationTypesAsIdOnly.TypeAndId(scalar);

            default:
                return value;
        }
    }
}

/// <summary>
/// Objects of the application's own types (entities, requests, DTOs) are never written field by field: a
/// <c>{@Patient}</c> becomes its type and <c>Id</c> only. Log the non-patient values you need as their own properties.
/// </summary>
public sealed class ApplicationTypesAsIdOnly : IDestructuringPolicy
{
    public bool TryDestructure(object value, ILogEventPropertyValueFactory propertyValueFactory, [NotNullWhen(true)] out LogEventPropertyValue? result)
    {
        if (!IsApplicationType(value.GetType()))
        {
            result = null;
            return false;
        }

        result = TypeAndId(value);
        return true;
    }

    /// <summary>
    /// The application's own types, for Serilog to capture as they are (not as their ToString(), which for a record
    /// lists every field) so that <see cref="PhiRedaction"/> can reduce them to type and id.
    /// </summary>
    public static IEnumerable<Type> LoadedApplicationTypes() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.GetName().Name?.StartsWith("Healthcare.", StringComparison.Ordinal) == true)
            .SelectMany(a =>
            {
                try
                {
                    return a.GetTypes();
                }
                catch (ReflectionTypeLoadException e)
                {
                    return e.Types.OfType<Type>().ToArray();
                }
            })
            .Where(t => IsApplicationType(t) && !t.IsAbstract && !t.IsInterface && !t.ContainsGenericParameters &&
                !typeof(Delegate).IsAssignableFrom(t) && !t.Name.Contains('<', StringComparison.Ordinal));

    internal static bool IsApplicationType(Type type) =>
        !type.IsEnum && !type.IsPrimitive && type.Assembly.GetName().Name?.StartsWith("Healthcare.", StringComparison.Ordinal) == true;

    internal static StructureValue TypeAndId(object value)
    {
        var type = value.GetType();
        var id = type.GetProperty("Id", BindingFlags.Public | BindingFlags.Instance);
        var properties = id?.GetIndexParameters().Length == 0 && id.GetValue(value) is { } idValue
            ? new[] { new LogEventProperty("Id", new ScalarValue(idValue is Guid or int or long ? idValue : idValue.ToString())) }
            : [];
        return new StructureValue(properties, type.Name);
    }
}
