/* Agent console sign-in: posts the form with fetch and shows errors in place (without JavaScript the form posts normally). */
(function () {
  "use strict";
  const form = document.getElementById("ac-login-form");
  const error = document.getElementById("ac-login-error");
  if (new URLSearchParams(location.search).get("failed")) error.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch("/agent/login", {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        location.assign("/agent");
        return;
      }
      const body = await response.json().catch(() => ({}));
      error.textContent =
        response.status === 429
          ? "登录失败次数过多，请稍后再试。 Too many failed sign-ins; try again in " + (body.retry_after || 60) + " s."
          : "用户名或密码错误，请重试。 Wrong name or password; please try again.";
      error.hidden = false;
      document.getElementById("ac-password").select();
    } catch (e) {
      error.textContent = "无法连接服务器。 The server cannot be reached.";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
})();
