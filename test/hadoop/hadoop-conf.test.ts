/**
 * What loglab reads of a HADOOP_CONF_DIR: the file system, the NameNode's WebHDFS address and
 * the ResourceManager, with Hadoop's defaults where a file does not say, comments and
 * `${var}` values ignored, and one line for a directory that is not a configuration.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHadoopConf, siteProperties } from '../../src/hadoop/hadoop-conf';

const root = mkdtempSync(join(tmpdir(), 'loglab-hadoop-conf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const xml = (props: Record<string, string>) =>
  `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props)
    .map(
      ([k, v]) => `  <property>\n    <name>${k}</name>\n    <value>${v}</value>\n  </property>\n`,
    )
    .join('')}</configuration>\n`;

function confDir(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, f), body);
  return dir;
}

describe('HADOOP_CONF_DIR', () => {
  it('reads name/value pairs, entities decoded, commented-out properties skipped', () => {
    const props = siteProperties(
      '<configuration><!-- <property><name>a</name><value>old</value></property> -->\n' +
        '<property><name> a </name><value>x&amp;y</value><description>d</description></property>' +
        '<property><name>b</name><value></value></property></configuration>',
    );
    expect([...props]).toEqual([
      ['a', 'x&y'],
      ['b', ''],
    ]);
  });

  it('takes the file system, WebHDFS and the ResourceManager from the site files', () => {
    const dir = confDir('full', {
      'core-site.xml': xml({ 'fs.defaultFS': 'hdfs://nn.example.org:8020' }),
      'hdfs-site.xml': xml({ 'dfs.namenode.http-address': 'nn.example.org:50070' }),
      'yarn-site.xml': xml({ 'yarn.resourcemanager.address': 'rm.example.org:8050' }),
    });
    expect(readHadoopConf(dir)).toEqual({
      dir,
      defaultFs: 'hdfs://nn.example.org:8020',
      webHdfs: 'http://nn.example.org:50070',
      resourceManager: 'rm.example.org:8050',
    });
  });

  it("falls back on Hadoop's defaults: the NameNode's host on 9870, the RM's host on 8032", () => {
    const dir = confDir('defaults', {
      'core-site.xml': xml({ 'fs.defaultFS': 'hdfs://nn:9000' }),
      'hdfs-site.xml': xml({ 'dfs.namenode.http-address': '0.0.0.0:9871' }),
      'yarn-site.xml': xml({ 'yarn.resourcemanager.hostname': 'rm' }),
    });
    expect(readHadoopConf(dir)).toMatchObject({
      defaultFs: 'hdfs://nn:9000',
      webHdfs: 'http://nn:9871',
      resourceManager: 'rm:8032',
    });
    const bare = confDir('bare', { 'core-site.xml': xml({}) });
    expect(readHadoopConf(bare)).toEqual({
      dir: bare,
      defaultFs: null,
      webHdfs: null,
      resourceManager: '0.0.0.0:8032',
    });
  });

  it('replaces a $-brace reference by another property, and ignores one naming anything else', () => {
    const ref = (name: string) => `\${${name}}`;
    const dir = confDir('vars', {
      'core-site.xml': xml({ 'fs.defaultFS': `hdfs://${ref('user.name')}:8020` }),
      'yarn-site.xml': xml({
        'yarn.resourcemanager.hostname': 'rm.example.org',
        'yarn.resourcemanager.address': `${ref('yarn.resourcemanager.hostname')}:8050`,
      }),
    });
    expect(readHadoopConf(dir)).toMatchObject({
      defaultFs: null,
      resourceManager: 'rm.example.org:8050',
    });
  });

  it('says in one line that a directory without core-site.xml is not a configuration', () => {
    expect(() => readHadoopConf(root)).toThrow(
      `HADOOP_CONF_DIR ${root} holds no core-site.xml: is it a Hadoop configuration?`,
    );
  });
});
