using System.Globalization;

namespace Healthcare.Api.Commands;

/// <summary>How many rows <c>seed-large</c> writes: the defaults times <c>SEED_SCALE</c>, each overridable.</summary>
public sealed record LargeSeedSizes(int Clinics, int Practitioners, int Patients, int Appointments)
{
    public static readonly LargeSeedSizes Defaults = new(20, 500, 200_000, 2_000_000);

    /// <summary>Reads SEED_SCALE, SEED_CLINICS, SEED_PRACTITIONERS, SEED_PATIENTS and SEED_APPOINTMENTS.</summary>
    public static LargeSeedSizes? Read(IConfiguration configuration, out string error)
    {
        error = "";
        var scale = 1.0;
        if (configuration["SEED_SCALE"] is { Length: > 0 } text &&
            (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || scale is <= 0 or > 10))
        {
            error = "SEED_SCALE must be a number greater than 0 and at most 10 (e.g. 0.01)";
            return null;
        }

        int Size(string name, int full, int minimum, ref string problem)
        {
            if (configuration[name] is not { Length: > 0 } value)
            {
                return Math.Max(minimum, (int)Math.Round(full * scale));
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < minimum || count > 100_000_000)
            {
                problem = $"{name} must be a whole number from {minimum} to 100000000";
            }

            return count;
        }

        var clinics = Size("SEED_CLINICS", Defaults.Clinics, 1, ref error);
        var practitioners = Size("SEED_PRACTITIONERS", Defaults.Practitioners, clinics, ref error);
        // Every practitioner of a clinic sees a different patient at any one time, so a clinic needs more patients than practitioners.
        var patients = Size("SEED_PATIENTS", Defaults.Patients, practitioners * 4, ref error);
        var appointments = Size("SEED_APPOINTMENTS", Defaults.Appointments, practitioners, ref error);
        return error.Length > 0 ? null : new LargeSeedSizes(clinics, practitioners, patients, appointments);
    }
}
