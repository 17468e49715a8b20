using System.Globalization;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Patients;
using Healthcare.ServiceDefaults.Hosting;
using Healthcare.ServiceDefaults.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Healthcare.Tests.Logging;

/// <summary>The logging pipeline every output shares redacts patient data before any sink sees an event.</summary>
public sealed class PhiRedactionTests
{
    private const string Name = "Philippa Quarrington";
    private const string BirthDate = "1951-07-14";
    private const string NoteText = "Intermittent thoracic discomfort after exertion";

    [Fact]
    public void PropertiesNamedForPatientDataAreRedactedInTheJsonLineAndTheRenderedMessage()
    {
        var (json, events) = Log(logger => logger.Information(
            "Registered {PatientName} born {DateOfBirth} with {NoteBody} at {StatusCode}", Name, BirthDate, NoteText, 201));

        Assert.DoesNotContain("Philippa", json, StringComparison.Ordinal);
        Assert.DoesNotContain(BirthDate, json, StringComparison.Ordinal);
        Assert.DoesNotContain("thoracic", json, StringComparison.Ordinal);
        Assert.Contains("\"PatientName\":\"[redacted]\"", json, StringComparison.Ordinal);
        Assert.Contains("\"StatusCode\":201", json, StringComparison.Ordinal);
        var record = LogRecord.From(Assert.Single(events), "test-instance", "test");
        Assert.Equal("Registered \"[redacted]\" born \"[redacted]\" with \"[redacted]\" at 201", record.Message);
        Assert.DoesNotContain("Philippa", record.PropertiesJson, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedValuesAreRedactedByTheirOwnNames()
    {
        var contact = new Dictionary<string, object?>
        {
            ["givenName"] = "Philippa",
            ["contact_phone"] = "+1 555 0100",
            ["kind"] = "emergency",
            ["history"] = new object[] { new Dictionary<string, object?> { ["notes"] = NoteText } },
        };

        var (json, _) = Log(logger => logger.Information("Imported {@Contact} for {NotificationId}", contact, 42));

        Assert.DoesNotContain("Philippa", json, StringComparison.Ordinal);
        Assert.DoesNotContain("555", json, StringComparison.Ordinal);
        Assert.DoesNotContain("thoracic", json, StringComparison.Ordinal);
        Assert.Contains("emergency", json, StringComparison.Ordinal);
        Assert.Contains("\"NotificationId\":42", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TheApplicationsOwnObjectsAreLoggedAsTypeAndIdOnly()
    {
        var patient = new Patient { GivenName = "Philippa", FamilyName = "Quarrington", Sex = "female", DateOfBirth = DateOnly.Parse(BirthDate, CultureInfo.InvariantCulture) };
        var request = new PatientRequest("Philippa", "Quarrington", DateOnly.Parse(BirthDate, CultureInfo.InvariantCulture), "female",
            null, null, null, null, null, null, null, null, null);

        var (json, _) = Log(logger =>
        {
            logger.Information("Saved {@Entity}", patient);
            logger.Information("Received {Input}", request);
        });

        Assert.False(json.Contains("Philippa", StringComparison.Ordinal) || json.Contains("Quarrington", StringComparison.Ordinal), json);
        Assert.Contains(patient.Id.ToString(), json, StringComparison.Ordinal);
        Assert.Contains("Patient", json, StringComparison.Ordinal);
        Assert.Contains("PatientRequest", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PatientName", true)]
    [InlineData("patient_email", true)]
    [InlineData("DateOfBirth", true)]
    [InlineData("dob", true)]
    [InlineData("ContactPhone", true)]
    [InlineData("Body", true)]
    [InlineData("NationalId", true)]
    [InlineData("PatientId", false)]
    [InlineData("StatusCode", false)]
    [InlineData("Route", false)]
    [InlineData("Elapsed", false)]
    [InlineData("NotificationId", false)]
    [InlineData("Template", false)]
    public void PropertyNamesAreClassified(string name, bool phi) => Assert.Equal(phi, PhiRedaction.IsPhi(name));

    [Fact]
    public void StoredTextHasNoNulCharactersOrLoneSurrogatesAndRespectsItsLimit()
    {
        Assert.Equal("a\ufffdb\ufffdc😀", LogRecord.Clean("a\0b\ud800c😀", 100));
        Assert.Equal("ab", LogRecord.Clean("ab😀", 3));
        Assert.Same("plain", LogRecord.Clean("plain", 100));
    }

    [Fact]
    public void AnEventIdTellsTheTimeOfItsEvent()
    {
        var time = new DateTimeOffset(2026, 11, 30, 7, 30, 15, 123, TimeSpan.Zero);
        var record = LogRecord.From(
            new LogEvent(time.AddTicks(4567), LogEventLevel.Information, null, MessageTemplate.Empty, []), "i", "a");

        Assert.Equal(time, LogRecord.TimeOf(record.Id));
    }

    private static (string Json, List<LogEvent> Events) Log(Action<Serilog.ILogger> write)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var events = new List<LogEvent>();
        using (var logger = JsonLogging.Configure(new LoggerConfiguration(), LogEventLevel.Information, "test")
            .WriteTo.Sink(new Collector(events))
            .CreateLogger())
        {
            write(logger);
        }

        // The formatter of the stdout logs.
        var formatter = new RenderedCompactJsonFormatter();
        foreach (var e in events)
        {
            formatter.Format(e, output);
        }

        return (output.ToString(), events);
    }

    private sealed class Collector(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Add(logEvent);
    }
}
