using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// Vital signs measured together; give any of them. Each value is in the unit its name says; blood pressure
/// needs both values. Out-of-range values are refused naming the field.
/// </summary>
public sealed record VitalsRequest(
    DateTimeOffset? MeasuredAt,
    Guid? EncounterId,
    decimal? SystolicMmHg,
    decimal? DiastolicMmHg,
    decimal? HeartRatePerMin,
    decimal? TemperatureCelsius,
    decimal? Spo2Percent,
    decimal? WeightKg,
    decimal? HeightCm)
{
    public ValidationProblem? Validate(DateTimeOffset now)
    {
        if (MeasuredAt > now + RecordRules.ClockSkew)
        {
            return Problems.Field("measuredAt", "A measurement cannot be in the future.");
        }

        if (SystolicMmHg is null != DiastolicMmHg is null)
        {
            return Problems.Field(SystolicMmHg is null ? "systolicMmHg" : "diastolicMmHg", "Blood pressure needs both the systolic and the diastolic value.");
        }

        var ranges = new (string Field, decimal? Value, decimal Min, decimal Max, string Unit)[]
        {
            ("systolicMmHg", SystolicMmHg, VitalKinds.BloodPressure.Min, VitalKinds.BloodPressure.Max, "mmHg"),
            ("diastolicMmHg", DiastolicMmHg, VitalKinds.Diastolic.Min, VitalKinds.Diastolic.Max, "mmHg"),
            ("heartRatePerMin", HeartRatePerMin, VitalKinds.HeartRate.Min, VitalKinds.HeartRate.Max, "beats per minute"),
            ("temperatureCelsius", TemperatureCelsius, VitalKinds.Temperature.Min, VitalKinds.Temperature.Max, "°C"),
            ("spo2Percent", Spo2Percent, VitalKinds.OxygenSaturation.Min, VitalKinds.OxygenSaturation.Max, "%"),
            ("weightKg", WeightKg, VitalKinds.Weight.Min, VitalKinds.Weight.Max, "kg"),
            ("heightCm", HeightCm, VitalKinds.Height.Min, VitalKinds.Height.Max, "cm"),
        };
        foreach (var (field, value, min, max, unit) in ranges)
        {
            // The message states the accepted range, never the value sent.
            if (value is { } v && (v < min || v > max || decimal.Round(v, 2) != v))
            {
                return Problems.Field(field, $"Use {min} to {max} {unit}, with at most two decimals.");
            }
        }

        if (DiastolicMmHg >= SystolicMmHg)
        {
            return Problems.Field("diastolicMmHg", "The diastolic pressure must be below the systolic.");
        }

        return Measurements().Count == 0
            ? Problems.Field("$", "Give at least one measurement: systolicMmHg and diastolicMmHg, heartRatePerMin, temperatureCelsius, spo2Percent, weightKg or heightCm.")
            : null;
    }

    public List<(VitalKind Kind, decimal Value, decimal? Diastolic)> Measurements()
    {
        var all = new List<(VitalKind, decimal, decimal?)>();
        if (SystolicMmHg is { } systolic && DiastolicMmHg is { } diastolic)
        {
            all.Add((VitalKinds.BloodPressure, systolic, diastolic));
        }

        foreach (var (kind, value) in new[]
        {
            (VitalKinds.HeartRate, HeartRatePerMin), (VitalKinds.Temperature, TemperatureCelsius), (VitalKinds.OxygenSaturation, Spo2Percent),
            (VitalKinds.Weight, WeightKg), (VitalKinds.Height, HeightCm),
        })
        {
            if (value is { } v)
            {
                all.Add((kind, v, null));
            }
        }

        return all;
    }
}

/// <summary>One measurement; <c>value</c> is the systolic pressure for blood pressure, and <c>diastolic</c> is set only then. Units are UCUM.</summary>
public sealed record VitalDto(
    Guid Id,
    Guid? EncounterId,
    string Kind,
    decimal Value,
    decimal? Diastolic,
    string Unit,
    DateTimeOffset MeasuredAt,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt);

/// <summary>The response shape of a vital sign.</summary>
public static class VitalSignMapping
{
    public static VitalDto ToDto(this VitalSign v) => new(
        v.Id, v.EncounterId, v.Kind, v.Value, v.SecondaryValue, v.Unit, v.MeasuredAt, v.RecordedByUserId, v.CreatedAt);
}
