/**
 * The checklist's sub-headings and the roles it names as responsible for each (Part 2,
 * "Responsible Parties"). Role names are normalised ("DevOps/SRE Teams" → "DevOps/SRE Team") so
 * that one entry of the configuration's `owners` map covers every mention.
 */
export const SUBHEADINGS = {
  riskAssessment: {
    name: 'EKS-Specific Risk Assessment',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'Application Owners', 'DevOps/SRE Team'] },
  },
  imageSecurity: {
    name: 'Container Image Security',
    owners: { primary: ['Security Team'], supporting: ['Development Teams', 'DevOps/SRE Team', 'EKS Cluster Owners'] },
  },
  monitoring: {
    name: 'Comprehensive Monitoring Implementation',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Application Owners'] },
  },
  eventCorrelation: {
    name: 'Security Event Correlation',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Application Security Engineers'] },
  },
  accessManagement: {
    name: 'Access Management and Authentication',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Application Owners', 'HR'] },
  },
  hardening: {
    name: 'Kubernetes Security Hardening',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team'] },
  },
  network: {
    name: 'Network Security Configuration',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Network Engineering Team'] },
  },
  serviceMesh: {
    name: 'Service Mesh Implementation (optional)',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Application Owners'] },
  },
  changeManagement: {
    name: 'Change Management',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'Application Owners'] },
  },
  configurationManagement: {
    name: 'Configuration Management',
    owners: { primary: ['DevOps/SRE Team'], supporting: ['EKS Cluster Owners', 'Security Team', 'Compliance Team'] },
  },
  deploymentPipeline: {
    name: 'Automated Deployment Pipeline',
    owners: { primary: ['DevOps/SRE Team'], supporting: ['Security Team', 'EKS Cluster Owners', 'Application Owners'] },
  },
  versionManagement: {
    name: 'Version Management',
    owners: { primary: ['DevOps/SRE Team'], supporting: ['Security Team', 'EKS Cluster Owners', 'Application Owners'] },
  },
  encryption: {
    name: 'Data Encryption and Protection',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team', 'Compliance Team'] },
  },
  foundational: {
    name: 'Identity, Access and Inventory',
    owners: { primary: ['Security Team'], supporting: ['EKS Cluster Owners', 'DevOps/SRE Team'] },
  },
} as const;

export type SubheadingKey = keyof typeof SUBHEADINGS;
