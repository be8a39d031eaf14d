import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { HelmLite, type ChartContext } from './helm-lite';

// Validates the deployment files without Docker or helm (neither exists on these machines): YAML syntax, the compose
// services, Helm templates rendered with a small renderer, environment names against docs/configuration.md, probes
// and the non-root, read-only-root-filesystem container.

const root = join(__dirname, '..', '..', '..');
const chartDir = join(root, 'deploy', 'helm', 'attest');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

type YamlMap = Record<string, unknown>;
const asMap = (value: unknown): YamlMap => value as YamlMap;
const asList = (value: unknown): YamlMap[] => value as YamlMap[];

const STANDARD_ENV = [/^OTEL_[A-Z0-9_]+$/, /^POSTGRES_[A-Z0-9_]+$/, /^PORT$/, /^HOST$/, /^NODE_ENV$/];

function documentedVariables(): Set<string> {
  return new Set([...read('docs/configuration.md').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1] ?? ''));
}

function undocumented(names: string[]): string[] {
  const documented = documentedVariables();
  return names.filter((name) => !documented.has(name) && !STANDARD_ENV.some((pattern) => pattern.test(name)));
}

function yamlFilesUnder(directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

function renderChart(overrides: (values: YamlMap) => void = () => undefined): YamlMap[] {
  const values = asMap(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')));
  overrides(values);
  const chart = asMap(parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')));
  const context: ChartContext = {
    Values: values,
    Release: { Name: 'rel', Namespace: 'default', Service: 'Helm' },
    Chart: { Name: String(chart.name), Version: String(chart.version), AppVersion: String(chart.appVersion) },
  };
  const sut = new HelmLite(context);
  const templates = join(chartDir, 'templates');
  const files = readdirSync(templates).sort((a, b) => Number(b.startsWith('_')) - Number(a.startsWith('_')));
  return files.flatMap((file) => {
    const documents = parseAllDocuments(sut.render(readFileSync(join(templates, file), 'utf8')));
    return documents.flatMap((document) => {
      const [error] = document.errors;
      if (error) throw new Error(`${file}: ${error.message}`);
      const manifest: unknown = document.toJS();
      return manifest === null ? [] : [asMap(manifest)];
    });
  });
}

const byKind = (manifests: YamlMap[], kind: string): YamlMap[] => manifests.filter((manifest) => manifest.kind === kind);

function the(manifests: YamlMap[], kind: string): YamlMap {
  const [manifest, ...others] = byKind(manifests, kind);
  if (manifest === undefined || others.length > 0) throw new Error(`expected exactly one ${kind}, found ${others.length + (manifest ? 1 : 0)}`);
  return manifest;
}
const gatewayContainer = (deployment: YamlMap): YamlMap =>
  asList(asMap(asMap(asMap(deployment.spec).template).spec).containers).find((container) => container.name === 'gateway') ?? {};

describe('deployment manifests', () => {
  describe('docker-compose.yml', () => {
    const compose = asMap(parse(read('docker-compose.yml')));
    const services = asMap(compose.services);

    it('has postgres, the gateway, the OIDC demo, Prometheus and a llama.cpp profile', () => {
      expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'gateway', 'oidc', 'prometheus', 'llamacpp']));
      expect(asMap(services.llamacpp)).toMatchObject({ image: 'ghcr.io/ggml-org/llama.cpp:server', profiles: ['llamacpp'] });
      expect(asMap(services.gateway).depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    });

    it('runs the gateway from the Dockerfile as non-root on a read-only root filesystem with a data volume', () => {
      const gateway = asMap(services.gateway);
      expect(gateway).toMatchObject({ build: { context: '.', target: 'runtime' }, read_only: true });
      expect(String(gateway.user)).not.toMatch(/^(0|root)(:|$)/);
      const dataDir = String(asMap(gateway.environment).ATTEST_DATA_DIR);
      expect(gateway.volumes).toContain(`attest-data:${dataDir}`);
      expect(JSON.stringify(asMap(gateway.healthcheck).test)).toMatch(/\/(healthz|readyz)/);
    });

    it('uses only documented or standard variables for the gateway and postgres', () => {
      const names = ['gateway', 'postgres'].flatMap((name) => Object.keys(asMap(asMap(services[name]).environment)));
      expect(names).toContain('DATABASE_URL');
      expect(undocumented(names)).toEqual([]);
    });

    it('gives the OIDC demo only variables its server reads', () => {
      const known = new Set([...read('deploy/oidc-demo/server.mjs').matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((match) => match[1]));
      const names = Object.keys(asMap(asMap(services.oidc).environment));
      expect(names.filter((name) => !known.has(name))).toEqual([]);
      expect(asMap(asMap(services.gateway).environment).ATTEST_OIDC_ISSUER).toBe(asMap(asMap(services.oidc).environment).OIDC_DEMO_ISSUER);
    });

    it('gives the gateway demo values in the documented formats and the llama.cpp profile a model that exists', () => {
      const environment = asMap(asMap(services.gateway).environment);
      expect(environment.ATTEST_BOOTSTRAP_API_KEY).toMatch(/^atk_[A-Za-z0-9]{12}_[A-Za-z0-9]{32,}$/);
      expect(JSON.parse(String(environment.ATTEST_ROLE_MAPPING))).toEqual(expect.arrayContaining([expect.objectContaining({ claim: 'groups', roles: ['admin'] })]));
      const command = asMap(services.llamacpp).command as string[];
      const model = command[command.indexOf('-m') + 1] ?? '';
      expect(statSync(join(root, model.replace(/^\/models\//, 'models/'))).isFile()).toBe(true);
    });

    it('has Prometheus scrape the gateway port at /metrics', () => {
      const prometheus = asMap(parse(read('deploy/prometheus/prometheus.yml')));
      const job = asList(prometheus.scrape_configs).find((config) => config.job_name === 'attest-gateway') ?? {};
      const port = String(asMap(asMap(services.gateway).environment).PORT);
      expect(job.metrics_path).toBe('/metrics');
      expect(asList(job.static_configs)[0]?.targets).toEqual([`gateway:${port}`]);
    });
  });

  describe('Dockerfile', () => {
    const dockerfile = read('Dockerfile');

    it('is multi-stage on node:20-bookworm-slim with npm ci, a non-root user and a health check on /healthz', () => {
      expect(dockerfile.match(/^FROM node:20-bookworm-slim AS \w+$/gm)?.length).toBeGreaterThanOrEqual(2);
      expect(dockerfile).toMatch(/^RUN npm ci\b/m);
      const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((match) => match[1]);
      expect(users.at(-1)).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
      expect(dockerfile).toMatch(/^VOLUME \["\/var\/lib\/attest"\]$/m);
    });

    it('copies only paths that exist in the repository', () => {
      const built = new Set(['/app/node_modules', '/app/apps/portal/dist']);
      const sources = [...dockerfile.matchAll(/^COPY --from=build (.+) \S+$/gm)].flatMap((match) => (match[1] ?? '').split(' ')).filter((path) => !built.has(path));
      expect(sources.length).toBeGreaterThan(5);
      const missing = sources.filter((path) => {
        try {
          readFileSync(join(root, path.replace(/^\/app\//, '')));
          return false;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code !== 'EISDIR';
        }
      });
      expect(missing).toEqual([]);
    });

    it('keeps local state and dependencies out of the build context', () => {
      const ignored = read('.dockerignore').split('\n');
      expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.attest', '.git']));
    });
  });

  describe('Helm chart', () => {
    it('parses every plain YAML file under deploy/', () => {
      const files = yamlFilesUnder('deploy').filter((file) => !file.includes('/templates/'));
      expect(files).toEqual(expect.arrayContaining(['deploy/helm/attest/Chart.yaml', 'deploy/helm/attest/values.yaml', 'deploy/prometheus/prometheus.yml']));
      for (const file of files) expect(() => parse(read(file))).not.toThrow();
    });

    it('renders a Deployment, Service, ConfigMap, HPA and PodDisruptionBudget with the defaults', () => {
      const manifests = renderChart();
      expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
      for (const manifest of manifests) expect(asMap(manifest.metadata).name).toBe('rel-attest');
      expect(asMap(the(manifests, 'Deployment').spec).replicas).toBeUndefined();
    });

    it('probes /healthz and /readyz on the port the gateway listens on', () => {
      const manifests = renderChart();
      const container = gatewayContainer(the(manifests, 'Deployment'));
      const port = Number(asMap(the(manifests, 'ConfigMap').data).PORT);
      expect(asList(container.ports)[0]).toEqual({ name: 'http', containerPort: port });
      expect(asMap(asMap(container.livenessProbe).httpGet)).toEqual({ path: '/healthz', port: 'http' });
      expect(asMap(asMap(container.readinessProbe).httpGet)).toEqual({ path: '/readyz', port: 'http' });
    });

    it('runs the gateway as non-root with a read-only root filesystem and writable data and /tmp volumes', () => {
      const manifests = renderChart();
      const deployment = the(manifests, 'Deployment');
      const container = gatewayContainer(deployment);
      expect(asMap(asMap(asMap(deployment.spec).template).spec).securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(asMap(container.securityContext).runAsUser).not.toBe(0);
      const dataDir = asMap(the(manifests, 'ConfigMap').data).ATTEST_DATA_DIR;
      expect(asList(container.volumeMounts).map((mount) => mount.mountPath)).toEqual(expect.arrayContaining([dataDir, '/tmp']));
    });

    it('uses only documented or standard variables', () => {
      const manifests = renderChart((values) => {
        Object.assign(asMap(values.oidc), { issuer: 'https://idp.example.com', audience: 'attest', clientId: 'portal' });
        Object.assign(asMap(values.audit), { signingKeySecret: 'attest-audit-key', witnessUrls: 'https://witness.example.com/add-checkpoint' });
      });
      const container = gatewayContainer(the(manifests, 'Deployment'));
      const names = [...Object.keys(asMap(the(manifests, 'ConfigMap').data)), ...asList(container.env).map((variable) => String(variable.name))];
      expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'ATTEST_AUDIT_WRITER_ID', 'ATTEST_OIDC_ISSUER', 'ATTEST_AUDIT_SIGNING_KEY_FILE']));
      expect(undocumented(names)).toEqual([]);
    });

    it('takes DATABASE_URL from an existing Secret and names each replica as its audit writer', () => {
      const env = asList(gatewayContainer(the(renderChart(), 'Deployment')).env);
      expect(env.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom).toEqual({ secretKeyRef: { name: 'attest-db-app', key: 'uri' } });
      expect(env.find((variable) => variable.name === 'ATTEST_AUDIT_WRITER_ID')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    });

    it('sets replicas without autoscaling and selects the pods it creates from the HPA and the PDB', () => {
      const manifests = renderChart((values) => Object.assign(asMap(values.autoscaling), { enabled: false }));
      expect(byKind(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
      const deployment = the(manifests, 'Deployment');
      expect(asMap(deployment.spec).replicas).toBe(2);
      const podLabels = asMap(asMap(asMap(deployment.spec).template).metadata).labels;
      expect(asMap(asMap(the(manifests, 'PodDisruptionBudget').spec).selector).matchLabels).toEqual(podLabels);
      const hpa = the(renderChart(), 'HorizontalPodAutoscaler');
      expect(asMap(hpa.spec).scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'rel-attest' });
    });

    it('adds a vLLM pool and a request-rate metric only when enabled', () => {
      const manifests = renderChart((values) => {
        Object.assign(asMap(values.vllm), { enabled: true });
        Object.assign(asMap(asMap(values.autoscaling).requestsPerSecond), { enabled: true });
      });
      const vllm = byKind(manifests, 'Deployment').find((deployment) => asMap(deployment.metadata).name === 'rel-vllm');
      expect(asList(asMap(asMap(asMap(vllm?.spec).template).spec).containers)[0]?.args).toEqual(['--model', 'Qwen/Qwen2.5-0.5B-Instruct', '--port', '8000', '--max-model-len', '4096']);
      expect(byKind(manifests, 'Service').map((service) => asMap(service.metadata).name)).toEqual(expect.arrayContaining(['rel-vllm']));
      expect(asList(asMap(the(manifests, 'HorizontalPodAutoscaler').spec).metrics).map((metric) => metric.type)).toEqual(['Resource', 'Pods']);
    });
  });
});

describe(HelmLite.name, () => {
  const context: ChartContext = { Values: { a: { b: 'x' }, on: false }, Release: { Name: 'r', Namespace: 'n', Service: 'Helm' }, Chart: { Name: 'c', Version: '1', AppVersion: '1' } };

  it('renders values, conditions, includes and trimming', () => {
    const sut = new HelmLite(context);
    sut.render('{{- define "n" -}}\nname: {{ .Release.Name }}\n{{- end }}');
    expect(sut.render('k:\n  {{- include "n" . | nindent 2 }}\n  v: {{ .Values.a.b | quote }}\n  {{- if .Values.on }}\n  on: 1\n  {{- else }}\n  off: 1\n  {{- end }}\n')).toBe(
      'k:\n  name: r\n  v: "x"\n  off: 1\n',
    );
  });

  it('refuses a value path values.yaml does not define and actions outside its subset', () => {
    const sut = new HelmLite(context);
    expect(() => sut.render('{{ .Values.a.c }}')).toThrow('.Values.a.c');
    expect(() => sut.render('{{ .Values.a.b | upper }}')).toThrow('upper');
    expect(() => sut.render('{{ if .Values.on }}x')).toThrow('end');
  });
});
