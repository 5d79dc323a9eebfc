/**
 * CPU package energy from Intel RAPL through the powercap interface
 * (`/sys/class/powercap/intel-rapl:N/energy_uj`, Linux Documentation
 * power/powercap/powercap.rst). AMD Zen CPUs expose the same files under
 * the same name with the `amd_energy`/RAPL driver.
 *
 * `energy_uj` is a counter that wraps at `max_energy_range_uj`; since
 * Linux 5.10 (CVE-2020-8694) it is readable by root only, so on most
 * clusters the reader finds nothing readable and the journal simply has
 * no `energyMicrojoules`. The figure is host-wide: every process on the
 * node's sockets, not only the kernel's tree.
 */

import { readdirSync, readFileSync } from 'node:fs';

/**
 * Energy consumed between two readings of a counter that wraps at
 * `maxRange` (the value of `max_energy_range_uj`). A reading below the
 * previous one means the counter wrapped once; more than one wrap between
 * two samples cannot be seen (at a package's usual 262 J range that takes
 * minutes at full power, far longer than a sampling interval).
 */
export function energyDeltaMicrojoules(
  previous: number,
  current: number,
  maxRange: number
): number {
  if (current >= previous) {
    return current - previous;
  }
  return maxRange - previous + current;
}

/** One top-level RAPL zone (a CPU package) whose counter this process can read. */
export interface IRaplZone {
  /** e.g. `package-0`. */
  readonly name: string;
  /** The zone's directory. */
  readonly path: string;
  readonly maxEnergyRangeUj: number;
}

/**
 * The readable package zones under `root`. Subzones (`intel-rapl:0:0`,
 * core/uncore/dram) are left out: their energy is part of the package's
 * (dram aside), and adding them would count it twice. `psys` (whole SoC
 * on some laptops) is left out for the same reason.
 */
export function findRaplZones(root = '/sys/class/powercap'): IRaplZone[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const zones: IRaplZone[] = [];
  for (const dir of names.filter(n => /^intel-rapl:\d+$/.test(n)).sort()) {
    const path = `${root}/${dir}`;
    try {
      const name = readFileSync(`${path}/name`, 'utf8').trim();
      const max = Number(
        readFileSync(`${path}/max_energy_range_uj`, 'utf8').trim()
      );
      // Probe the counter itself: it is the file that is root-only.
      readFileSync(`${path}/energy_uj`, 'utf8');
      if (name.startsWith('package') && Number.isFinite(max) && max > 0) {
        zones.push({ name, path, maxEnergyRangeUj: max });
      }
    } catch {
      // Not readable by this user: no energy figure from this zone.
    }
  }
  return zones;
}

/** Sums the package zones into one cumulative, wraparound-corrected counter. */
export class RaplReader {
  private readonly _zones: readonly IRaplZone[];
  private readonly _last: number[];
  private _total = 0;

  private constructor(zones: readonly IRaplZone[], first: number[]) {
    this._zones = zones;
    this._last = first;
  }

  /** A reader over the readable package zones, or undefined when there is none. */
  static open(root?: string): RaplReader | undefined {
    const zones = findRaplZones(root);
    const first: number[] = [];
    for (const zone of zones) {
      const value = readCounter(zone);
      if (value === undefined) {
        return undefined;
      }
      first.push(value);
    }
    return zones.length > 0 ? new RaplReader(zones, first) : undefined;
  }

  get zones(): readonly IRaplZone[] {
    return this._zones;
  }

  /** Microjoules used by the packages since `open`, or undefined if a counter became unreadable. */
  read(): number | undefined {
    for (let i = 0; i < this._zones.length; i++) {
      const zone = this._zones[i];
      const value = readCounter(zone);
      if (value === undefined) {
        return undefined;
      }
      this._total += energyDeltaMicrojoules(
        this._last[i],
        value,
        zone.maxEnergyRangeUj
      );
      this._last[i] = value;
    }
    return this._total;
  }
}

function readCounter(zone: IRaplZone): number | undefined {
  try {
    const value = Number(readFileSync(`${zone.path}/energy_uj`, 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
