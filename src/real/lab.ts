/**
 * The real-kernel lab: builds (or takes from the cache) a Linux 6.12.117 or 7.3.4 kernel with
 * CONFIG_PCI_P2PDMA=y and the guest initramfs, boots QEMU with one NVMe controller with a CMB per
 * scenario device (plus a peer controller behind the same PCIe switch), and returns what the guest
 * observed (guest-output.ts).
 *
 * Node only (child processes, files): never imported by the browser app.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BOOT_RETRY_NOTE, GuestFatal, parseGuestOutput, type RealRun } from "./guest-output.ts";

import { DEFAULT_LAB_KERNEL, LabError, type LabKernel } from "./kernel-version.ts";

export {
  DEFAULT_LAB_KERNEL,
  isLabKernel,
  LAB_KERNELS,
  LabError,
  type LabKernel,
  labKernelFor,
  withoutKernelVersion,
} from "./kernel-version.ts";

export const LAB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../kernel-lab");

export const MAX_DEVICES = 8;
/**
 * Read rate of the throttled namespace that keeps a held pin's O_DIRECT read in flight: after the
 * guest's 192 KiB dummy read the pinned read waits about (192K - HOLD_BPS/10) / HOLD_BPS = 24 s
 * (QEMU's leaky bucket runs on the host's clock, so the margin must cover a slow, loaded guest).
 * nvme_core.io_timeout is raised so that the driver does not abort such a read.
 */
export const HOLD_BPS = 8192;
/** the largest CMB the lab gives a device (the guest has 256 MiB of RAM for the struct pages) */
export const MAX_CMB_MB = 1024;

export interface DevicePlan {
  readonly name: string;
  readonly size: number;
  /** cmb_size_mb: a power of two >= 2 (nvme_map_cmb skips a CMB that is not 2 MiB aligned) */
  readonly cmbMb: number;
}

function parseSize(t: string): number | undefined {
  // language v2 takes T too (devices up to 1T): parsed so a 1T device is refused for its size
  const m = /^(0x[0-9a-f]+|\d+)([KMGT]?)$/i.exec(t);
  if (!m) return undefined;
  const base = Number(m[1]);
  const mul = { "": 1, K: 1024, M: 1 << 20, G: 1 << 30, T: 2 ** 40 }[(m[2] ?? "").toUpperCase()] ?? 1;
  return base * mul;
}

/**
 * Checks that the lab can run this scenario at all and plans its devices. The model has already
 * validated the text; this only refuses what the real kernel cannot express.
 */
export function planScenario(text: string): DevicePlan[] {
  const devices: DevicePlan[] = [];
  text.split("\n").forEach((raw, i) => {
    const w = raw.replace(/#.*/, "").trim().split(/\s+/);
    const where = `line ${i + 1}`;
    if (w[0] === "kernel" && w[1] !== "upstream") {
      throw new LabError(
        `${where}: design '${w[1]}' cannot run on a real kernel: Linux implements only 'upstream' (p2pviz real --as-upstream runs it as upstream)`,
      );
    }
    if (w[0] === "page" && parseSize(w[1] ?? "") !== 4096) {
      throw new LabError(`${where}: page size ${w[1]}: the lab runs x86-64, whose pages are 4K`);
    }
    if (w[0] === "device" && w.length >= 3) {
      const size = parseSize(w[2] ?? "");
      if (size === undefined) throw new LabError(`${where}: bad device size '${w[2]}'`);
      let cmbMb = 2;
      while (cmbMb * (1 << 20) < size) cmbMb *= 2;
      if (cmbMb > MAX_CMB_MB) {
        throw new LabError(
          `${where}: device ${w[1]} of ${w[2]} is larger than the lab's largest CMB (${MAX_CMB_MB} MiB)`,
        );
      }
      devices.push({ name: w[1] ?? "", size, cmbMb });
    }
  });
  if (devices.length > MAX_DEVICES) {
    throw new LabError(`${devices.length} devices: the lab boots at most ${MAX_DEVICES} NVMe controllers`);
  }
  return devices;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Why the lab cannot run here, or undefined when it can (before any build). */
/** Where kernel-lab/setup.sh keeps the source tarballs (kernel-lab/kernels.sh KLAB_SRC_DIR). */
export const SOURCE_DIR = process.env.KLAB_SRC_DIR ?? "/var/cache/p2pviz/linux-source";
export const SOURCE_TARS: Readonly<Record<LabKernel, string>> = {
  "6.12": "linux-source-6.12_6.12.117-1~deb12u1.tar.xz",
  "7.3": "linux-source-7.3_7.3.4-1~bpo13+1.tar.xz",
};

export function missingTools(kernel: LabKernel = DEFAULT_LAB_KERNEL): string | undefined {
  if (process.platform !== "linux")
    return "the real-kernel lab needs Linux (QEMU, Debian's linux-source-6.12 and linux-source-7.3)";
  const missing = ["qemu-system-x86_64", "gcc", "make", "cpio"].filter((c) => !hasCommand(c));
  if (missing.length) {
    return `missing ${missing.join(", ")}: run kernel-lab/setup.sh (apt-get install qemu-system-x86 build-essential ...)`;
  }
  const tar = join(SOURCE_DIR, SOURCE_TARS[kernel]);
  if (!existsSync(tar)) {
    return `missing ${tar}: run kernel-lab/setup.sh ${kernel} (fetches the Debian source package)`;
  }
  if (!existsSync("/bin/busybox")) return "missing busybox-static: run kernel-lab/setup.sh";
  return undefined;
}

export interface KernelBuild {
  /** which lab kernel ("6.12" or "7.3") */
  readonly lab: LabKernel;
  readonly dir: string;
  readonly bzImage: string;
  readonly release: string;
  readonly variant: string;
}

function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  log?: (s: string) => void,
  args: readonly string[] = [],
): string {
  const r = spawnSync("bash", [join(LAB_DIR, script), ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.stderr && log) log(r.stderr);
  if (r.status !== 0) {
    const tail = (r.stderr ?? "").trim().split("\n").slice(-8).join("\n");
    throw new LabError(`kernel-lab/${script} failed:\n${tail}`);
  }
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  return last;
}

/** build-kernel.sh KERNEL: seconds when cached, about 5 minutes of 2 idle cores otherwise. */
export function ensureKernel(
  opts: { kernel?: LabKernel; noPatch?: boolean; log?: (s: string) => void } = {},
): KernelBuild {
  const lab = opts.kernel ?? DEFAULT_LAB_KERNEL;
  const dir = runScript("build-kernel.sh", opts.noPatch ? { KLAB_NO_PATCH: "1" } : {}, opts.log, [lab]);
  const bzImage = join(dir, "bzImage");
  if (!existsSync(bzImage)) throw new LabError(`build-kernel.sh did not produce ${bzImage}`);
  return {
    lab,
    dir,
    bzImage,
    release: readFileSync(join(dir, "kernelrelease"), "utf8").trim(),
    variant: readFileSync(join(dir, "variant"), "utf8").trim(),
  };
}

export function ensureInitramfs(log?: (s: string) => void): string {
  return runScript("build-initramfs.sh", {}, log);
}

/** One file in a newc cpio archive (the kernel unpacks concatenated archives in order). */
export function cpioNewc(files: readonly { name: string; data: Buffer; mode?: number }[]): Buffer {
  const parts: Buffer[] = [];
  const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  let ino = 1;
  const entry = (name: string, data: Buffer, mode: number) => {
    const hex = (n: number) => n.toString(16).padStart(8, "0");
    const nameBuf = Buffer.from(`${name}\0`);
    const header = `070701${[ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0].map(hex).join("")}`;
    parts.push(Buffer.from(header), nameBuf, pad4(110 + nameBuf.length), data, pad4(data.length));
  };
  for (const f of files) entry(f.name, f.data, f.mode ?? 0o100644);
  entry("TRAILER!!!", Buffer.alloc(0), 0);
  return Buffer.concat(parts);
}

export interface BootResult {
  readonly run: RealRun;
  /** the whole console output, for debugging */
  readonly console: string;
  /** host wall time of the QEMU run, ms */
  readonly wallMs: number;
  readonly qemu: string;
}

export function qemuVersion(): string {
  const r = spawnSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" });
  return /version (\S+)/.exec(r.stdout ?? "")?.[1] ?? "unknown";
}

/**
 * The guest's PCI topology (QEMU q35): one PCIe root port, an emulated PCIe switch (x3130-upstream)
 * below it, and one xio3130-downstream port per NVMe controller:
 *
 *   root port rp0 - switch up0 - dn0: nvme p2pviz-dev0 (CMB = p2pmem of scenario device 0)
 *                              - ...
 *                              - dnN: nvme p2pviz-peer (no CMB)
 *
 * Every device controller has one namespace (nsid 1) for pins released at once. The peer controller
 * has nsid 1 (pins into a device that has been unbound) and, for each device i, nsid 2+i on a
 * throttled drive: a held pin into device i is an O_DIRECT read from there (guest/p2prun.c
 * do_hold), i.e. I/O of ANOTHER controller, which unbinding the provider cannot drain. The switch
 * makes pci_p2pdma_distance() accept the pair: the common upstream bridge is the switch's upstream
 * port (distance 4, PCI_P2PDMA_MAP_BUS_ADDR, no ACS redirection without an IOMMU), where two devices
 * on the root complex would need a whitelisted host bridge (QEMU's is not) or an AMD Zen CPU.
 */
export function switchTopology(devices: readonly DevicePlan[], tmp: string): string[] {
  const args = [
    "-device",
    "pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x10",
    "-device",
    "x3130-upstream,id=up0,bus=rp0",
  ];
  const disk = (name: string, mb: number) => {
    const f = join(tmp, name);
    writeFileSync(f, "");
    spawnSync("truncate", ["-s", `${mb}M`, f]);
    return f;
  };
  const port = (i: number) => {
    args.push("-device", `xio3130-downstream,id=dn${i},bus=up0,chassis=${2 + i},slot=0`);
    return `dn${i}`;
  };
  devices.forEach((d, i) => {
    const mb = Math.max(1, d.cmbMb);
    args.push("-drive", `file=${disk(`disk${i}.img`, mb)},if=none,id=nvm${i},format=raw`);
    args.push("-device", `nvme,id=ctl${i},serial=p2pviz-dev${i},bus=${port(i)},cmb_size_mb=${d.cmbMb}`);
    args.push("-device", `nvme-ns,drive=nvm${i},bus=ctl${i},nsid=1`);
  });
  const peer = devices.length;
  const largest = Math.max(1, ...devices.map((d) => d.cmbMb));
  args.push("-drive", `file=${disk("peer.img", largest)},if=none,id=peer,format=raw`);
  args.push("-device", `nvme,id=ctlp,serial=p2pviz-peer,bus=${port(peer)}`);
  args.push("-device", "nvme-ns,drive=peer,bus=ctlp,nsid=1");
  devices.forEach((d, i) => {
    const f = disk(`slow${i}.img`, Math.max(1, d.cmbMb) + 1);
    args.push("-drive", `file=${f},if=none,id=slow${i},format=raw,throttling.bps-read=${HOLD_BPS}`);
    args.push("-device", `nvme-ns,drive=slow${i},bus=ctlp,nsid=${2 + i}`);
  });
  return args;
}

/** Boots QEMU on the scenario and returns what the guest observed. */
export async function bootScenario(
  text: string,
  opts: { kernel: KernelBuild; initramfs: string; timeoutMs?: number },
): Promise<BootResult> {
  const devices = planScenario(text);
  const avail = statfsSync(tmpdir());
  const need = devices.reduce((s, d) => s + d.cmbMb, 0) * (1 << 20);
  if (avail.bavail * avail.bsize < need + (64 << 20)) {
    throw new LabError(`not enough space in ${tmpdir()} for the disk images (need ${need >> 20} MiB)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), "p2pviz-real-"));
  try {
    const initrd = join(tmp, "initrd.cpio");
    const scenarioCpio = cpioNewc([{ name: "scenario.p2p", data: Buffer.from(text) }]);
    writeFileSync(initrd, Buffer.concat([readFileSync(opts.initramfs), scenarioCpio]));
    const args = [
      "-machine",
      "q35",
      "-cpu",
      "qemu64",
      "-m",
      "256M",
      "-smp",
      "1",
      "-nographic",
      "-no-reboot",
      "-nic",
      "none",
      "-kernel",
      opts.kernel.bzImage,
      "-initrd",
      initrd,
      "-append",
      "console=ttyS0 quiet loglevel=1 panic=-1 nvme.use_cmb_sqes=0 nvme_core.io_timeout=120",
    ];
    args.push(...switchTopology(devices, tmp));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const bootOnce = () =>
      new Promise<string>((resolveP, reject) => {
        const child = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
        let outText = "";
        let errText = "";
        child.stdout.on("data", (d: Buffer) => {
          outText += d.toString("latin1");
        });
        child.stderr.on("data", (d: Buffer) => {
          errText += d.toString();
        });
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(
            new LabError(
              `QEMU did not finish within ${timeoutMs / 1000} s; console tail:\n${outText.slice(-1500)}`,
            ),
          );
        }, timeoutMs);
        child.on("error", (e) => {
          clearTimeout(timer);
          reject(new LabError(`cannot start qemu-system-x86_64: ${e.message}`));
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          if (code !== 0 && !outText.includes("P2PRUN END")) {
            reject(new LabError(`QEMU exited with ${code}: ${errText.trim().slice(-800)}`));
          } else resolveP(outText);
        });
      });
    // A boot that never reaches the guest program (no "P2PRUN KERNEL" line: a firmware or early
    // kernel hiccup under heavy host load, seen once in about 150 boots) says nothing about the
    // scenario, so it is retried once; a guest that started and then failed is never retried.
    let t0 = Date.now();
    let consoleText = await bootOnce();
    let retried = false;
    if (!consoleText.includes("P2PRUN KERNEL")) {
      const log = join(LAB_DIR, "build", "failed-boot-console.log");
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, consoleText);
      retried = true;
      t0 = Date.now();
      consoleText = await bootOnce();
    }
    const wallMs = Date.now() - t0;
    try {
      const run = parseGuestOutput(consoleText, text);
      const withNote = retried ? { ...run, notes: [...run.notes, BOOT_RETRY_NOTE] } : run;
      return { run: withNote, console: consoleText, wallMs, qemu: qemuVersion() };
    } catch (e) {
      if (e instanceof GuestFatal) throw e;
      // keep the console for a post-mortem
      const log = join(LAB_DIR, "build", "last-console.log");
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, consoleText);
      throw new LabError(`${(e as Error).message}; console saved in ${log}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
