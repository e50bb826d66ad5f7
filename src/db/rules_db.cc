// Database::SetRules and what it answers about rules.
#include "db/database_impl.h"
#include "db/rules_change.h"

namespace quantatom {

Result<CommitResult> Database::SetRules(const std::string& cube, const std::string& text,
                                        bool delete_data, const CommitContext& ctx,
                                        StructureReport* report) {
  auto request = std::make_unique<CommitRequest>();
  request->context = ctx;
  request->alone = true;  // checked against the model as every earlier transaction left it
  Impl* impl = impl_.get();
  request->prepare = [impl, &cube, &text, delete_data, report](Transaction& txn, Overlay&) {
    std::shared_lock lock(impl->structure_mu);
    return PrepareSetRules(impl->model, cube, text, delete_data, txn, report);
  };
  return impl_->Submit(std::move(request));
}

std::optional<CubeRules> Database::Rules(std::string_view cube) const {
  std::shared_lock lock(impl_->structure_mu);
  return impl_->model.RulesText(cube);
}

std::vector<RuleSummary> Database::DescribeRules(std::string_view cube) const {
  std::shared_lock lock(impl_->structure_mu);
  return quantatom::DescribeRules(impl_->model, cube);
}

}  // namespace quantatom
