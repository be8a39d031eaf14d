import { InitialSchema1795613500000 } from './1795613500000-initial-schema';
import { AuditSearchIndexes1795620000000 } from './1795620000000-audit-search-indexes';
import { AuditLog1795614000000 } from './1795614000000-audit-log';
import { Identity1795614100000 } from './1795614100000-identity';
import { RateLimits1795630000000 } from './1795630000000-rate-limits';
import { PersonHeldKeys1795630100000 } from './1795630100000-person-held-keys';
import { DataSubjectKeys1795630200000 } from './1795630200000-data-subject-keys';
import { ScimProvisioning1795630300000 } from './1795630300000-scim-provisioning';
import { SamlReplay1795640300000 } from './1795640300000-saml-replay';
import { SavedSearches1795640200000 } from './1795640200000-saved-searches';
import { AuditPartitionsRetention1795640000000 } from './1795640000000-audit-partitions-retention';
import { PolicyBundles1795614200000 } from './1795614200000-policy-bundles';
import { ModelRegistryGovernance1795614300000 } from './1795614300000-model-registry-governance';
import { QuotaAdmit1795640500000 } from './1795640500000-quota-admit';
import { AuditAppendInOrder1795640600000 } from './1795640600000-audit-append-in-order';

/** Every migration, oldest first. Listed explicitly so jest, ts-node and compiled builds load the same set. */
export const allMigrations = [InitialSchema1795613500000, AuditLog1795614000000, Identity1795614100000, PolicyBundles1795614200000, ModelRegistryGovernance1795614300000, AuditSearchIndexes1795620000000, RateLimits1795630000000, PersonHeldKeys1795630100000, DataSubjectKeys1795630200000, ScimProvisioning1795630300000, AuditPartitionsRetention1795640000000, SavedSearches1795640200000, SamlReplay1795640300000, QuotaAdmit1795640500000, AuditAppendInOrder1795640600000];
