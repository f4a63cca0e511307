using System.Text;
using System.Text.Json;
using Appliance.Admin;
using Appliance.Devices.Panels;

namespace Appliance.Fuzz;

/// <summary>
/// The two local line protocols. The input is what a client writes: lines split on '\n' as each server splits them.
/// The panel refuses an unknown line with an ArgumentException (answered "error …"); the admin socket never throws,
/// it answers an error reply that quotes a bounded part of the line. The admin client's reply parser refuses with
/// a JsonException or an InvalidDataException.
/// </summary>
public static class SocketLineTargets
{
    public static void PanelLine(byte[] input)
    {
        foreach (var raw in Lines(input))
        {
            if (raw.Length > SocketPanel.MaxLineLength) return; // the server hangs up before parsing such a line
            var line = Encoding.UTF8.GetString(raw).TrimEnd('\r');
            try { PanelCommands.Parse(line); }
            catch (ArgumentException e) when (Refusal.ThrownByAppliance(e)) { }
        }
    }

    public static void AdminLine(byte[] input)
    {
        foreach (var raw in Lines(input))
        {
            // StreamReader(Encoding.ASCII) as AdminSocketServer reads; it ends a line at '\n', '\r' or "\r\n".
            foreach (var line in Encoding.ASCII.GetString(raw).Split('\r'))
            {
                if (!AdminCommands.TryParse(line.Trim(), out _, out var error))
                {
                    if (error.Length > AdminCommandNames.MaxLine + 80)
                        throw new FuzzFinding($"the admin error reply is {error.Length} characters: it quotes more than {AdminCommandNames.MaxLine} of the line");
                    new AdminReply { Error = error }.ToJson();
                }
            }
            try { AdminReply.Parse(Encoding.UTF8.GetString(raw)); }
            catch (JsonException) { }
            catch (InvalidDataException e) when (Refusal.ThrownByAppliance(e)) { }
        }
    }

    private static IEnumerable<byte[]> Lines(byte[] input)
    {
        var start = 0;
        for (var i = 0; i <= input.Length; i++)
        {
            if (i < input.Length && input[i] != (byte)'\n') continue;
            yield return input[start..i];
            start = i + 1;
        }
    }
}
