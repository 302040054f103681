// The GraphQL console: posts the query as JSON, shows the answer. Nothing is stored.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("console");
  const answer = document.getElementById("answer");
  const status = document.getElementById("status");

  async function run(event) {
    event.preventDefault();
    let variables = {};
    try {
      variables = JSON.parse(form.variables.value || "{}");
    } catch (error) {
      status.textContent = "";
      answer.textContent = "The variables are not valid JSON: " + error.message;
      return;
    }
    const headers = { "Content-Type": "application/json" };
    const token = form.token.value.trim();
    if (token) headers.Authorization = "Bearer " + token;
    status.textContent = "…";
    try {
      const response = await fetch("/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query: form.query.value, variables }),
        credentials: "omit",
      });
      const text = await response.text();
      status.textContent = "(HTTP " + response.status + ")";
      try {
        answer.textContent = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        answer.textContent = text;
      }
    } catch (error) {
      status.textContent = "";
      answer.textContent = "The request failed: " + error.message;
    }
  }

  form.addEventListener("submit", run);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
});
