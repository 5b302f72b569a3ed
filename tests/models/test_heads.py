import lightgbm as lgb
import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from landslide.models.heads import HEADS


@pytest.fixture
def embeddings():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.3).astype(int)
    x = rng.normal(size=(300, 16)) + y[:, None] * 0.8
    return x[:200], y[:200], x[200:]



@pytest.mark.parametrize("c", [1.0, 0.1])
def test_svm_head_equals_sklearn_called_directly(embeddings, c):
    xtr, ytr, xte = embeddings
    fit, score = HEADS["svm"]
    te_s = score(fit(xtr, ytr, c, 0), xte)
    sc = StandardScaler().fit(xtr)
    ref = SVC(C=c, kernel="rbf", gamma="scale").fit(sc.transform(xtr), ytr)
    np.testing.assert_array_equal(te_s >= 0.5, ref.decision_function(sc.transform(xte)) > 0)
    np.testing.assert_allclose(np.log(te_s / (1 - te_s)), ref.decision_function(sc.transform(xte)), atol=1e-8)



def test_lgbm_head_equals_lightgbm_called_directly(embeddings):
    xtr, ytr, xte = embeddings
    fit, score = HEADS["lgbm"]
    te_s = score(fit(xtr, ytr, 1.0, 3), xte)
    ref = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=15, subsample=0.8, subsample_freq=1,
                             colsample_bytree=0.5, random_state=3, n_jobs=2, verbose=-1).fit(xtr, ytr)
    np.testing.assert_allclose(te_s, ref.predict_proba(xte)[:, 1])

