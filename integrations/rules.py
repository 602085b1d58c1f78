"""Who may do what with repositories and webhooks. Check with `deelbaar.permissions`."""

import rules

from cooperative.rules import coordinates
from sprints.rules import coordinates_product, is_product_owner

# Linking, syncing and unlinking a product's repository; reading its hook secret.
rules.add_perm("integrations.manage_repository", is_product_owner | coordinates_product)
# Outgoing webhooks of a cooperative, their secrets and delivery log.
rules.add_perm("integrations.manage_webhooks", coordinates)
