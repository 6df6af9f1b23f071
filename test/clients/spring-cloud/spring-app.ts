// Starts the Spring Boot jar (built by install.sh) as one JVM process per app, and stops it by PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));
// install.sh extracts the jar to target/app/ and records app.jsa there (class-data sharing).
const JAR = `${DIR}target/app/beacon-spring-cloud.jar`;
const CDS_ARCHIVE = `${DIR}target/app/app.jsa`;

export class SpringApp {
  private output = '';
  private readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(readonly name: string, readonly port: number, consulAddr: string) {
    if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run test/clients/spring-cloud/install.sh`);
    // Modest memory and a quick start: a small heap, C1 only, the recorded class archive (same flags).
    const cds = existsSync(CDS_ARCHIVE) ? [`-XX:SharedArchiveFile=${CDS_ARCHIVE}`] : [];
    const args = ['-Xmx256m', '-XX:TieredStopAtLevel=1', ...cds, '-jar', JAR, `--spring.application.name=${name}`, `--server.port=${port}`];
    this.child = spawn('java', args, { cwd: DIR, env: { ...process.env, CONSUL_HTTP_ADDR: consulAddr }, stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-100_000));
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The app's own log, for failure messages. */
  get log() {
    return `--- ${this.name} (pid ${this.child.pid}) ---\n${this.output}`;
  }

  /** GETs a path of the app as JSON, failing with the app's log when the process has died. */
  async get<T>(path: string): Promise<T | undefined> {
    if (!this.running) throw new Error(`${this.name} exited\n${this.log}`);
    try {
      const res = await fetch(`${this.url}${path}`);
      return res.ok ? ((await res.json()) as T) : undefined;
    } catch {
      return undefined; // not listening yet
    }
  }

  /** SIGTERM by PID (Spring's graceful shutdown deregisters), SIGKILL if it has not exited in `ms`. */
  async stop(ms = 30_000): Promise<number | null> {
    if (this.running && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
    const code = await Promise.race([this.exited, sleep(ms).then(() => 'timeout' as const)]);
    if (code !== 'timeout') return code;
    if (this.child.pid !== undefined && this.running) process.kill(this.child.pid, 'SIGKILL');
    return this.exited;
  }
}
